#!/usr/bin/env python3
"""The KMS grant inventory an operator writes today with boto3: sequential, one call at a time.

    boto3_inventory.py -o inventory.json [--endpoint-url URL] [--region us-east-1]

ListKeys and ListAliases (paginated), then for each key DescribeKey and ListGrants (paginated).
Writes {"region", "calls", "keys": [{"KeyMetadata", "Aliases", "Grants"}]}, the same shape as a
kms-grants fixture's "keys". Credentials come from boto3's usual chain. benches/peers/peers.py runs this
as its own process, so interpreter start-up and the boto3 import are part of its time."""
import argparse
import json

import boto3


def paginate(client, operation, result_key, **params):
    """Every item of `result_key` over all pages of `operation`, and the number of calls made."""
    items, calls = [], 0
    for page in client.get_paginator(operation).paginate(**params):
        items.extend(page.get(result_key, []))
        calls += 1
    return items, calls


def inventory(client):
    """The account's keys with their aliases, metadata and grants, and the number of calls made."""
    keys, calls = paginate(client, "list_keys", "Keys")
    aliases, alias_calls = paginate(client, "list_aliases", "Aliases")
    calls += alias_calls
    entries = []
    for key in keys:
        metadata = client.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
        grants, grant_calls = paginate(client, "list_grants", "Grants", KeyId=key["KeyId"])
        calls += 1 + grant_calls
        entries.append(
            {
                "KeyMetadata": metadata,
                "Aliases": [a for a in aliases if a.get("TargetKeyId") == key["KeyId"]],
                "Grants": grants,
            }
        )
    return entries, calls


def main():
    """Parses the arguments, takes the inventory and writes it as JSON."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-o", "--output", required=True, help="the JSON file to write")
    parser.add_argument("--endpoint-url", help="send KMS calls here, e.g. a local moto_server")
    parser.add_argument("--region", default="us-east-1", help="the AWS region (default: %(default)s)")
    args = parser.parse_args()

    client = boto3.client("kms", region_name=args.region, endpoint_url=args.endpoint_url)
    entries, calls = inventory(client)
    with open(args.output, "w", encoding="utf-8") as out:
        json.dump({"region": args.region, "calls": calls, "keys": entries}, out, indent=2, default=str)


if __name__ == "__main__":
    main()
