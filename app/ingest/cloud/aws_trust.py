"""Delegations of the AWS authorization-details export: trust policies and ``sts:AssumeRole``.

A role's trust policy says who may assume it: roles and users of the account, AWS services
(``bedrock.amazonaws.com`` assuming an agent's role), other accounts and identity providers. A
trust naming the account itself lets through whoever holds ``sts:AssumeRole`` on the role; those
permissions are read from the principals' policies. Conditions and trust Deny statements are kept
on the delegation, which is marked conditional.
"""

from __future__ import annotations

import fnmatch
import logging
from typing import TYPE_CHECKING, Any

from app.domain.enums import DelegationKind, IdentityKind
from app.ingest.cloud import aws_policy as pol
from app.ingest.fields import DELEGATIONS

if TYPE_CHECKING:
    from app.ingest.cloud.collector import Collector
    from app.ingest.cloud.documents import Document

logger = logging.getLogger(__name__)

PROVIDER = "AWS IAM"
ANYONE = "aws:*"


class TrustReading:
    """The delegation half of the AWS reader (mixed into it; shares its state)."""

    c: Collector
    doc: Document
    file: str
    account: str
    roles: dict[str, Any]
    principals: list[Any]
    account_trust: set[str]
    known: set[str]

    def _trust_delegations(self) -> None:
        for arn, (principal, trust) in self.roles.items():
            path = f"{principal.path}.AssumeRolePolicyDocument"
            with self.c.element(self.file, "trust policies", principal.index, path, DELEGATIONS):
                denies = [st for st in trust if st.effect == "Deny"]
                for statement in trust:
                    if statement.effect != "Allow" or not any(
                        pol.is_assume(a) for a in statement.actions
                    ):
                        continue
                    for kind, values in statement.principals.items():
                        for value in values:
                            self._trust(arn, kind, value, statement, denies)

    def _trust(
        self,
        role: str,
        kind: str,
        value: str,
        statement: pol.Statement,
        denies: list[pol.Statement],
    ) -> None:
        source = self._trusted(role, kind, value)
        if source is None:
            return
        attributes: dict[str, Any] = {"via": [f"trust policy of {role.rsplit('/', 1)[-1]}"]}
        denied = [
            d.summary()
            for d in denies
            if any(pol.patterns_overlap(value, v) for vs in d.principals.values() for v in vs)
        ]
        if statement.condition:
            attributes["conditions"] = [statement.summary()]
        if denied:
            attributes["denied_by"] = denied
        attributes["conditional"] = bool(statement.condition or denied)
        self.c.delegation(source, role, DelegationKind.ASSUME_ROLE.value, **attributes)

    def _trusted(self, role: str, kind: str, value: str) -> str | None:
        if kind == "*" or value == "*":
            self.c.warn(f"role {role} trusts any AWS principal ('*'); read as trusted by anyone")
            return self.c.identity(
                ANYONE, {"public": True}, name="any AWS principal", provider=PROVIDER
            )
        if kind == "AWS":
            if value.isdigit() and len(value) == 12:
                value = f"arn:aws:iam::{value}:root"
            if value.endswith(":root"):
                account = account_of(value)
                if account == self.account:
                    self.account_trust.add(role)
                    return None
                return self.c.identity(
                    value,
                    {"external": True, "account": account},
                    name=f"AWS account {account} (external)",
                    kind=IdentityKind.ROLE.value,
                    provider=PROVIDER,
                )
            return value if value in self.roles or self._known(value) else self._external(value)
        if kind == "Service":
            return self.c.identity(
                value,
                {"principal_type": "AWS service"},
                name=f"AWS service {value.split('.', 1)[0]}",
                kind=IdentityKind.SERVICE_ACCOUNT.value,
                provider=PROVIDER,
            )
        if kind == "Federated":
            return self.c.identity(
                value,
                {"principal_type": "identity provider"},
                name=f"identity provider {value.rsplit('/', 1)[-1]}",
                kind=IdentityKind.OAUTH_CLIENT.value,
                provider=PROVIDER,
            )
        self.c.warn(f"principal type {kind!r} of role {role}'s trust policy is not read")
        return None

    def _known(self, arn: str) -> bool:
        return arn in self.known

    def _external(self, arn: str) -> str:
        kind = IdentityKind.ROLE.value if ":role/" in arn else None
        return self.c.identity(
            arn,
            {"external": True, "account": account_of(arn)},
            name=arn.rsplit("/", 1)[-1],
            kind=kind,
            provider=PROVIDER,
        )

    def _policy_delegations(self) -> None:
        for principal in self.principals:
            if not principal.assumes:
                continue
            path = principal.path
            with self.c.element(
                self.file, "sts:AssumeRole permissions", principal.index, path, DELEGATIONS
            ):
                for statement in principal.assumes:
                    for target in self._assumable(statement):
                        attributes: dict[str, Any] = {
                            "via": [statement.label],
                            "conditional": bool(statement.condition),
                        }
                        if statement.condition:
                            attributes["conditions"] = [statement.summary()]
                        self.c.delegation(
                            principal.arn, target, DelegationKind.ASSUME_ROLE.value, **attributes
                        )

    def _assumable(self, statement: pol.Statement) -> list[str]:
        targets: list[str] = []
        patterns = ["*"] if statement.not_resource else (statement.resources or ["*"])
        for pattern in patterns:
            if "*" in pattern or "?" in pattern:
                low = pattern.lower()
                targets += [r for r in self.account_trust if fnmatch.fnmatchcase(r.lower(), low)]
            elif pattern in self.account_trust:
                targets.append(pattern)
            elif ":role/" in pattern and account_of(pattern) not in (self.account, ""):
                targets.append(self._external(pattern))
        return targets


def account_of(arn: str) -> str:
    """Return the account of an ARN (its fifth field; empty when it has none)."""
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 else ""
