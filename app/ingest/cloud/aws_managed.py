"""What the best-known AWS managed policies allow, for exports that attach them bare.

``get-account-authorization-details --filter Role User Group`` leaves their documents out.

Only the shape that decides strength and reach is kept: the services and verbs, on every
resource. A policy not listed here and absent from the export is reported; its grants are unknown.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

_ALL = "*"


def _allow(*actions: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": _ALL}],
    }


MANAGED_POLICIES: dict[str, dict[str, Any]] = {
    "AdministratorAccess": _allow("*"),
    "PowerUserAccess": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "NotAction": ["iam:*", "organizations:*", "account:*"],
                "Resource": _ALL,
            },
        ],
    },
    "IAMFullAccess": _allow("iam:*"),
    "ReadOnlyAccess": _allow("*:Get*", "*:List*", "*:Describe*"),
    "ViewOnlyAccess": _allow("*:List*", "*:Describe*"),
    "SecurityAudit": _allow("*:Get*", "*:List*", "*:Describe*"),
    "AmazonS3FullAccess": _allow("s3:*"),
    "AmazonS3ReadOnlyAccess": _allow("s3:Get*", "s3:List*"),
    "AmazonDynamoDBFullAccess": _allow("dynamodb:*"),
    "AmazonDynamoDBReadOnlyAccess": _allow("dynamodb:Get*", "dynamodb:Query", "dynamodb:Scan"),
    "AmazonBedrockFullAccess": _allow("bedrock:*"),
    "AmazonBedrockReadOnly": _allow("bedrock:Get*", "bedrock:List*"),
    "AmazonSageMakerFullAccess": _allow("sagemaker:*"),
    "AWSLambda_FullAccess": _allow("lambda:*"),
    "AWSLambdaBasicExecutionRole": _allow("logs:CreateLogGroup", "logs:PutLogEvents"),
    "SecretsManagerReadWrite": _allow("secretsmanager:*"),
    "CloudWatchLogsFullAccess": _allow("logs:*"),
    "AmazonSQSFullAccess": _allow("sqs:*"),
    "AmazonEC2FullAccess": _allow("ec2:*"),
    "AmazonEC2ReadOnlyAccess": _allow("ec2:Describe*"),
}


def managed_document(policy_arn: str) -> dict[str, Any] | None:
    """Return the document of a well-known AWS managed policy by ARN, or None."""
    if ":aws:policy/" not in policy_arn:
        return None
    return MANAGED_POLICIES.get(policy_arn.rsplit("/", 1)[-1])
