"""The shell: the main window, its actions and menus, file drops, colours and error reports."""
