# data: the demo province and tables installed with the program.
EXTRA_DIST += data/local.mk data/demo/agencies.csv data/demo/certificates.csv
EXTRA_DIST += data/demo/plan.csv docs/plan.md
# the Decree 68 forms' templates (docs/formats.md, "Forms"): a province
# edits these, not the code
formsdir = $(pkgdatadir)/forms
dist_forms_DATA = data/forms/revoke.json data/forms/change.json \
	data/forms/renew.json data/forms/recover.json data/forms/contacts.tsv
# the manual pages (checked against every --help by tests/cli/man-pages.sh)
# and bash completion
dist_man_MANS = man/tokendesk.1 man/tokendesk.conf.5
bashcompdir = $(datadir)/bash-completion/completions
dist_bashcomp_DATA = data/bash-completion/tokendesk
