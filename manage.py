#!/usr/bin/env python
import os
import sys

# Commands that read files and never touch the database or sign anything: they run without
# deployment settings (studio/settings.py, OFFLINE_COMMAND).
OFFLINE_COMMANDS = {"check_dataset"}


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
    if len(sys.argv) > 1 and sys.argv[1] in OFFLINE_COMMANDS:
        os.environ["STUDIO_OFFLINE_COMMAND"] = "true"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
