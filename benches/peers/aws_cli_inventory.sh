#!/usr/bin/env bash
# The KMS grant inventory as an operator scripts it with the AWS CLI: one `aws` process per call.
#
#   aws_cli_inventory.sh OUTPUT [AWS CLI OPTIONS...]
#   aws_cli_inventory.sh inventory.json --endpoint-url http://127.0.0.1:5000 --region us-east-1
#
# Runs `aws kms list-keys` and `aws kms list-aliases`, then for each key `aws kms describe-key` and
# `aws kms list-grants` (the CLI follows every page itself). The options after OUTPUT go to every
# call. Writes {"Aliases": <list-aliases>, "Keys": [{"KeyId", "DescribeKey", "ListGrants"}]}.
set -euo pipefail

if [[ $# -lt 1 ]]; then
    echo "usage: $0 OUTPUT [AWS CLI OPTIONS...]" >&2
    exit 2
fi
output=$1
shift

kms() {
    aws kms "$@" --output json
}

key_ids=$(aws kms list-keys --query 'Keys[].KeyId' --output text "$@")
{
    printf '{"Aliases": '
    kms list-aliases "$@"
    printf ', "Keys": ['
    separator=""
    for key_id in $key_ids; do
        printf '%s{"KeyId": "%s", "DescribeKey": ' "$separator" "$key_id"
        kms describe-key --key-id "$key_id" "$@"
        printf ', "ListGrants": '
        kms list-grants --key-id "$key_id" "$@"
        printf '}'
        separator=", "
    done
    printf ']}\n'
} >"$output"
