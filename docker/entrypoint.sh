#!/bin/sh
# Container entrypoint.
#   web (default): apply migrations, collect static files, then serve with gunicorn (whitenoise serves /static/).
#   anything else: run it as given, e.g. `celery -A governance worker -l info` (see docker-compose.yml).
# Only the web service migrates; worker and beat start once web is healthy, so they never race the migration.
set -eu

if [ "${1:-web}" = "web" ]; then
    python manage.py migrate --noinput
    python manage.py collectstatic --noinput --verbosity 0
    exec gunicorn governance.wsgi:application \
        --bind 0.0.0.0:8000 \
        --workers "${GUNICORN_WORKERS:-3}" \
        --timeout "${GUNICORN_TIMEOUT:-60}" \
        --access-logfile - \
        --error-logfile -
fi

exec "$@"
