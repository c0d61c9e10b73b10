FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY cds_service ./cds_service
COPY hooks ./hooks
COPY fhir_mappings ./fhir_mappings
RUN pip install --no-cache-dir . && useradd --create-home --uid 10001 cds && mkdir -p /app/var && chown cds /app/var
COPY fixtures ./fixtures
COPY deploy ./deploy
USER cds
EXPOSE 8000
CMD ["peritoneal-cds", "serve", "--dev", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
