# src/token/local.mk: work in progress, filled when the room lands
