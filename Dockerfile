FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
COPY cds_service ./cds_service
COPY hooks ./hooks
COPY fhir_mappings ./fhir_mappings
# The runtime set exactly as uv.lock pins it (no dev extra), into /opt/venv (first on PATH), compiled to bytecode
# here since the service's user cannot write there; uv, pinned as in the Makefile, is removed after use.
RUN pip install --no-cache-dir uv==0.13.9 \
    && UV_PROJECT_ENVIRONMENT=/opt/venv UV_PYTHON_DOWNLOADS=never UV_NO_CACHE=1 UV_COMPILE_BYTECODE=1 \
       uv sync --locked --no-editable \
    && pip uninstall --yes uv \
    && useradd --create-home --uid 10001 cds && mkdir -p /app/var && chown cds /app/var
COPY fixtures ./fixtures
COPY deploy ./deploy
USER cds
EXPOSE 8000
CMD ["peritoneal-cds", "serve", "--dev", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
