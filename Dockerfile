FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 NIXA_DATA_DIR=/var/lib/nixa
WORKDIR /app
COPY pyproject.toml README.md ./
COPY idp ./idp
COPY federation ./federation
COPY wallet ./wallet
COPY admin ./admin
COPY nixa ./nixa
RUN pip install --no-cache-dir . && useradd --system --home /var/lib/nixa nixa && mkdir -p /var/lib/nixa \
    && chown nixa /var/lib/nixa
USER nixa
EXPOSE 8000
CMD ["nixa", "serve", "--host", "0.0.0.0", "--port", "8000"]
