# house-rules.sh: the rooms of the house keep to themselves (README, "The
# house"): the front ends never open a transaction (every write goes
# through src/workflow), the desk borrows nothing from the CLI, and each
# room's local.mk compiles only its own files.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
src=${TD_SRCDIR:?}/src

# No front end opens, ends or even sees a registry transaction.
for word in td_reg_begin td_reg_end td_reg_commit td_reg_rollback registry/txn.h; do
	found=$(grep -rl "$word" "$src/tui" "$src/cli" || true)
	[ -z "$found" ] || fail "$word in a front end: $found"
done
# The public registry header no longer declares them.
! grep -q '^int td_reg_begin(' "$TD_SRCDIR/include/tokendesk/registry.h" ||
	fail "registry.h still declares td_reg_begin"

# The desk works from the session, not the CLI's context.
found=$(grep -rl 'cli/' "$src/tui" || true)
[ -z "$found" ] || fail "the desk includes the CLI's headers: $found"
# td_desk_main has one declaration: its header's (and its definition).
decl=$(grep -rn '^int td_desk_main(' "$src" "$TD_SRCDIR/include" |
	grep -v '^[^:]*src/tui/desk.c:' || true)
case $decl in
"$TD_SRCDIR/include/tokendesk/desk.h:"*";") [ "$(echo "$decl" | wc -l)" = 1 ] ||
	fail "td_desk_main declared twice: $decl" ;;
*) fail "td_desk_main declared elsewhere than tokendesk/desk.h: $decl" ;;
esac

# Each room's local.mk names only files of its own room.
for room in util registry token workflow tui cli; do
	other=$(grep -o 'src/[a-z]*/' "$src/$room/local.mk" | grep -v "^src/$room/" || true)
	[ -z "$other" ] || fail "src/$room/local.mk compiles files of $other"
done
finish
