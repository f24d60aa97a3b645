/* i18n_vi.h: the desk's Vietnamese texts, keyed by the English ones. */
static const struct msg msgs[] = {
	{ "Search", "Tìm kiếm" },
};
