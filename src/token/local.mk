# placeholder (untracked)
