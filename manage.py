#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brainport_voor_elkaar.settings")
    # manage.py is the developer's tool: on a laptop it runs in DEBUG mode unless told otherwise. The web
    # server (wsgi/asgi) and Celery read DEBUG from the environment and default to production settings.
    os.environ.setdefault("DEBUG", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
