#!/bin/bash
# LocalStack ready hook: the same resources as scripts/setup-localstack.ts (which needs Node,
# absent from the LocalStack image), with awslocal. Idempotent; reads the same variables.
set -euo pipefail

BUCKET="${BUCKET:-videos}"
QUEUE="${QUEUE_NAME:-video-events}"
VISIBILITY="${VISIBILITY_TIMEOUT_SEC:-120}"
MAX_RECEIVE=5
CORS_ORIGINS="${BUCKET_CORS_ORIGINS:-*}"

report() { printf '  %-8s %s\n' "$1" "$2"; }

if awslocal s3api head-bucket --bucket "$BUCKET" >/dev/null 2>&1; then report exists "bucket $BUCKET"
else awslocal s3api create-bucket --bucket "$BUCKET" >/dev/null; report created "bucket $BUCKET"; fi

origins_json="$(python3 -c 'import json,sys; print(json.dumps([o.strip() for o in sys.argv[1].split(",") if o.strip()]))' "$CORS_ORIGINS")"
awslocal s3api put-bucket-cors --bucket "$BUCKET" --cors-configuration \
  "{\"CORSRules\":[{\"AllowedOrigins\":$origins_json,\"AllowedMethods\":[\"GET\",\"PUT\",\"POST\",\"HEAD\"],\"AllowedHeaders\":[\"*\"],\"ExposeHeaders\":[\"ETag\"],\"MaxAgeSeconds\":3000}]}"
report updated "bucket CORS ($CORS_ORIGINS)"

ensure_queue() { # name → url
  local url
  if url="$(awslocal sqs get-queue-url --queue-name "$1" --query QueueUrl --output text 2>/dev/null)"; then report exists "queue $1" >&2
  else url="$(awslocal sqs create-queue --queue-name "$1" --query QueueUrl --output text)"; report created "queue $1" >&2; fi
  echo "$url"
}
queue_arn() { awslocal sqs get-queue-attributes --queue-url "$1" --attribute-names QueueArn --query Attributes.QueueArn --output text; }

dlq_url="$(ensure_queue "$QUEUE-dlq")"
awslocal sqs set-queue-attributes --queue-url "$dlq_url" --attributes MessageRetentionPeriod=1209600
dlq_arn="$(queue_arn "$dlq_url")"

queue_url="$(ensure_queue "$QUEUE")"
arn="$(queue_arn "$queue_url")"
partition="$(cut -d: -f2 <<<"$arn")"
attributes="$(python3 - "$VISIBILITY" "$dlq_arn" "$MAX_RECEIVE" "$arn" "arn:$partition:s3:::$BUCKET" <<'PY'
import json, sys
visibility, dlq_arn, max_receive, queue_arn, bucket_arn = sys.argv[1:]
policy = {"Version": "2012-10-17", "Statement": [{"Sid": "AllowS3ObjectCreatedEvents", "Effect": "Allow",
          "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sqs:SendMessage", "Resource": queue_arn,
          "Condition": {"ArnLike": {"aws:SourceArn": bucket_arn}}}]}
print(json.dumps({"VisibilityTimeout": visibility, "MessageRetentionPeriod": "345600",
                  "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": int(max_receive)}),
                  "Policy": json.dumps(policy)}))
PY
)"
awslocal sqs set-queue-attributes --queue-url "$queue_url" --attributes "$attributes"
report updated "queue policy and redrive ($QUEUE → $QUEUE-dlq after $MAX_RECEIVE receives)"

if awslocal s3api get-bucket-notification-configuration --bucket "$BUCKET" --query "QueueConfigurations[?QueueArn=='$arn'].Events[]" --output text | grep -q ObjectRemoved; then
  report exists "notification s3:ObjectCreated:*, s3:ObjectRemoved:* → $arn"
else
  awslocal s3api put-bucket-notification-configuration --bucket "$BUCKET" --notification-configuration \
    "{\"QueueConfigurations\":[{\"Id\":\"tvidz-object-created\",\"QueueArn\":\"$arn\",\"Events\":[\"s3:ObjectCreated:*\",\"s3:ObjectRemoved:*\"]}]}"
  report created "notification s3:ObjectCreated:*, s3:ObjectRemoved:* → $arn"
fi
