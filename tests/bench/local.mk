# tests/bench/local.mk: work in progress, filled when the room lands
