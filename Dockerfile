# Gongzhi 共治 — one image for the web server (gunicorn + whitenoise), the Celery worker and Celery beat.
# Build and run with docker compose (see docker-compose.yml and README.md).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# gettext: translation tooling; Pango and fonts-wqy-zenhei: certificate PDFs with Chinese text (WeasyPrint).
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext fonts-wqy-zenhei libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system gongzhi \
    && useradd --system --gid gongzhi --home-dir /app --no-create-home --shell /usr/sbin/nologin gongzhi

WORKDIR /app

# Dependencies first, so code changes do not reinstall them. Every version is pinned in requirements.txt.
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .

# Translations are compiled into the image; static files are collected by the entrypoint at start.
# Uploaded files (imports) live on the shared /data/media volume, readable by web and worker alike.
RUN python manage.py compile_translations \
    && mkdir -p /app/staticfiles /data/media \
    && chown -R gongzhi:gongzhi /app/staticfiles /data/media \
    && chmod 0755 docker/entrypoint.sh docker/healthcheck.py

USER gongzhi
ENV GONGZHI_MEDIA_ROOT=/data/media
EXPOSE 8000

ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]
