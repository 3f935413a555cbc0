# Everything runs from .venv, created on first use with nothing but Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run aws cost test test-unit test-integration test-e2e test-browser lint lock package deploy deploy-web destroy bench smoke dead-letters redrive clean

# The whole stack; a change to the code reloads it (docs/development.md).
run: $(INSTALLED)
	$(BIN)/python -m infra.local

# Only the embedded AWS and the consumers' pump, for `chalice local --stage local`.
aws: $(INSTALLED)
	$(BIN)/python -m infra.local --aws-only

test: $(INSTALLED)
	$(BIN)/python -m pytest

# Parts of the suite: pure logic; routes, events and consumers in-process
# over moto; the real local stack over HTTP; the web app in headless
# Chromium (Debian's chromium package) against the real local stack.
test-unit test-integration test-e2e test-browser: test-%: $(INSTALLED)
	$(BIN)/python -m pytest tests/$*

lint: $(INSTALLED)
	$(BIN)/ruff check .

# Exactly the locked files, checked against their hashes, and nothing else.
$(INSTALLED): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements-dev.txt
	touch $@

# Refreshes the lock files from requirements*.in, keeping what is locked
# unless UPGRADE=1; then `make` installs what changed.
lock: $(INSTALLED)
	$(BIN)/python -m infra.lock $(if $(UPGRADE),--upgrade)

clean:
	rm -rf $(VENV) dist .pytest_cache

# One deployable template for a stage: Chalice's functions and API merged
# with the resources of infra/ (dist/<stage>/sam.json + deployment.zip),
# for the Lambda runtime infra/package.py pins.
STAGE ?= dev
package: $(INSTALLED)
	mkdir -p dist/$(STAGE)
	STAGE=$(STAGE) RESOURCE_PREFIX=instagram-$(STAGE) $(BIN)/python -m infra.cloudformation > dist/resources-$(STAGE).json
	AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1} $(BIN)/python -m infra.package package --stage $(STAGE) \
		--merge-template dist/resources-$(STAGE).json dist/$(STAGE)

# Needs AWS credentials, the AWS CLI, an S3 bucket for the code
# (BUCKET=...) and the SSM parameter /instagram/$(STAGE)/jwt-secret.
# ALARM_EMAIL=... subscribes an address to the stage's alarms.
deploy: package
	@test -n "$(BUCKET)" || (echo "make deploy needs BUCKET=<an S3 bucket for the code>"; exit 1)
	aws cloudformation package --template-file dist/$(STAGE)/sam.json \
		--s3-bucket $(BUCKET) --output-template-file dist/$(STAGE)/packaged.yaml
	aws cloudformation deploy --template-file dist/$(STAGE)/packaged.yaml \
		--stack-name instagram-$(STAGE) --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND \
		$(if $(ALARM_EMAIL),--parameter-overrides AlarmEmail=$(ALARM_EMAIL))
	$(MAKE) --no-print-directory deploy-web
	aws cloudformation describe-stacks --stack-name instagram-$(STAGE) --query "Stacks[0].Outputs"

# The web app to the stage's web bucket, its config.js naming the stage's API,
# then a fresh CloudFront cache: the app is at the WebUrl output.
STACK_OUTPUT = aws cloudformation describe-stacks --stack-name instagram-$(STAGE) --output text \
	--query "Stacks[0].Outputs[?OutputKey=='$(1)'].OutputValue"
deploy-web:
	rm -rf dist/web && mkdir -p dist && cp -r web dist/web
	printf 'window.APP_CONFIG = { apiBase: "%s" };\n' "$$($(call STACK_OUTPUT,EndpointURL))" > dist/web/config.js
	aws s3 sync dist/web "s3://$$($(call STACK_OUTPUT,WebBucketName))" --delete
	aws cloudfront create-invalidation --distribution-id "$$($(call STACK_OUTPUT,WebDistributionId))" --paths "/*" > /dev/null
	@echo "Web app: $$($(call STACK_OUTPUT,WebUrl))"

# CloudFormation deletes only an empty bucket: the photos and the web app go first.
destroy:
	MEDIA=$$(aws cloudformation describe-stacks --stack-name instagram-$(STAGE) --output text \
		--query "Stacks[0].Outputs[?OutputKey=='MediaBucketName'].OutputValue"); \
	if [ -n "$$MEDIA" ] && [ "$$MEDIA" != "None" ]; then aws s3 rm "s3://$$MEDIA" --recursive; fi
	WEB=$$($(call STACK_OUTPUT,WebBucketName)); \
	if [ -n "$$WEB" ] && [ "$$WEB" != "None" ]; then aws s3 rm "s3://$$WEB" --recursive; fi
	aws cloudformation delete-stack --stack-name instagram-$(STAGE)
	aws cloudformation wait stack-delete-complete --stack-name instagram-$(STAGE)

# Against the running local stack, or the endpoint AWS_ENDPOINT_URL names.
LOCAL_AWS := AWS_ENDPOINT_URL=$${AWS_ENDPOINT_URL:-http://127.0.0.1:$${MOTO_PORT:-5000}} \
	AWS_ACCESS_KEY_ID=$${AWS_ACCESS_KEY_ID:-testing} AWS_SECRET_ACCESS_KEY=$${AWS_SECRET_ACCESS_KEY:-testing} \
	AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1}

dead-letters: $(INSTALLED)
	$(LOCAL_AWS) $(BIN)/python -m infra.dead_letters counts

redrive: $(INSTALLED)
	$(LOCAL_AWS) $(BIN)/python -m infra.dead_letters redrive $(if $(QUEUE),--queue $(QUEUE))

bench: $(INSTALLED)
	PYTHONPATH=scripts $(BIN)/python -m bench

# What the stack costs on AWS for a community (docs/cost.md): the bench's cost section.
cost: $(INSTALLED)
	BENCH=cost $(MAKE) bench

# A short journey over HTTP against any running stage: make smoke BASE_URL=...
smoke: $(INSTALLED)
	@test -n "$(BASE_URL)" || (echo "make smoke needs BASE_URL=<the API's URL>"; exit 1)
	BASE_URL="$(BASE_URL)" $(BIN)/python scripts/smoke.py
