"""AWS IAM policy documents: statements, the strength of an action, the resource of an ARN.

The strength of an action comes from its verb, the word its name starts with (``s3:GetObject``
reads, ``s3:PutObject`` writes, ``lambda:InvokeFunction`` executes). Full wildcards (``*``, a
whole service's ``svc:*``), ``iam:Pass*`` and every change to IAM, to a policy or to a trust
are admin: whoever holds them can give themselves anything. A verb Assay does not know counts as
write, the cautious reading, and is reported once per file.
"""

from __future__ import annotations

import fnmatch
import functools
import json
import logging
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from app.domain.enums import Action
from app.ingest.cloud.collector import as_list

logger = logging.getLogger(__name__)

#: Statements one policy document may hold (AWS's own size caps allow far fewer).
MAX_STATEMENTS = 500
#: Actions, resources or principals one statement may list.
MAX_ENTRIES = 2_000

_VERBS: dict[str, Action] = {}
for _verbs, _action in (
    (
        "List Get Describe Head Search Select Scan Query BatchGet Lookup View Read Check Retrieve "
        "Download Preview Validate Estimate Filter Export Detect Discover Simulate Count Poll "
        "Receive Browse Show",
        Action.READ,
    ),
    (
        "Invoke Start Run Execute Converse Decrypt Encrypt ReEncrypt GenerateDataKey GenerateMac "
        "Sign Verify Connect Call Use Trigger Launch Resume Retry Predict Generate Evaluate "
        "BatchExecute InvokeModel",
        Action.EXECUTE,
    ),
    (
        "Put Create Update Delete Attach Detach Modify Add Remove Set Tag Untag Upload Write Copy "
        "Restore Import BatchWrite BatchDelete BatchPut Associate Disassociate Enable Disable "
        "Register Deregister Reset Change Replace Cancel Abort Complete Send Publish Stop "
        "Terminate Reboot Rotate Revoke Purge Post Apply Accept Reject Merge Move Rename "
        "Schedule Subscribe "
        "Unsubscribe Authorize Release Allocate Assign Unassign Link Unlink Activate Deactivate "
        "Edit Initiate Deploy Increase Decrease Transfer Recover Flush Submit Grant Retire",
        Action.WRITE,
    ),
):
    for _verb in _verbs.split():
        _VERBS[_verb.lower()] = _action
_BY_LENGTH = sorted(_VERBS, key=len, reverse=True)
_ASSUME = ("sts:assumerole", "sts:assumerolewithwebidentity", "sts:assumerolewithsaml")


@dataclass(frozen=True, slots=True)
class Strength:
    """The strength of an action pattern.

    Attributes:
        action: read, execute, write or admin.
        known: False when the verb is unknown and write was assumed.
    """

    action: Action
    known: bool = True


@functools.lru_cache(maxsize=1 << 16)
def action_strength(pattern: str) -> Strength:
    """Return the strength of an IAM action pattern (``s3:Get*``, ``iam:PassRole``, ``*``)."""
    text = pattern.strip()
    service, _, verb = text.partition(":")
    service = service.lower()
    if text in ("*", "*:*") or verb == "*":
        return Strength(Action.ADMIN)
    if not verb:
        return Strength(Action.WRITE, known=False)
    low = verb.lower()
    if service == "iam" and low.startswith("pass"):
        return Strength(Action.ADMIN)
    if low.startswith("*"):
        return Strength(Action.ADMIN if service == "iam" else Action.WRITE)
    stem = low.rstrip("*")
    found = next((v for v in _BY_LENGTH if stem.startswith(v)), None)
    if found is None:
        return Strength(Action.WRITE, known=False)
    action = _VERBS[found]
    if action is Action.WRITE and _is_permission_edit(service, low):
        return Strength(Action.ADMIN)
    return Strength(action)


def _is_permission_edit(service: str, verb: str) -> bool:
    """Return True for a change to IAM, to a policy or to a trust (admin, not write)."""
    if service in ("iam", "organizations", "sso"):
        return True
    return "policy" in verb or verb in ("addpermission", "removepermission", "grant")


@functools.lru_cache(maxsize=1 << 16)
def is_assume(pattern: str) -> bool:
    """Return True when an action pattern allows assuming a role (``sts:AssumeRole``, ``*``)."""
    low = pattern.strip().lower()
    if low in ("*", "sts:*", "*:*"):
        return True
    return any(fnmatch.fnmatchcase(name, low) for name in _ASSUME)


@functools.lru_cache(maxsize=1 << 16)
def only_assume(pattern: str) -> bool:
    """Return True when an action pattern allows nothing but assuming roles."""
    low = pattern.strip().lower()
    return low.startswith("sts:assumerole")


@functools.lru_cache(maxsize=1 << 16)
def service_of(pattern: str) -> str:
    """Return the service of an action pattern (empty for ``*``)."""
    service, _, _ = pattern.strip().partition(":")
    return "" if service in ("*", "") else service.lower()


@dataclass
class Statement:
    """One statement of a policy document, checked for shape.

    Attributes:
        effect: ``Allow`` or ``Deny``.
        actions: The action patterns (``NotAction``'s when ``not_action``).
        resources: The resource patterns (``NotResource``'s when ``not_resource``).
        condition: The statement's condition block, if any.
        principals: Principal type → values (trust policies); ``{"*": ["*"]}`` for anyone.
        label: Where it comes from, in words (``policy claims-rw, statement 2``).
        path: Its JSON path.
    """

    effect: str
    actions: list[str]
    resources: list[str]
    label: str
    path: str
    not_action: bool = False
    not_resource: bool = False
    condition: dict[str, Any] | None = None
    principals: dict[str, list[str]] = field(default_factory=dict)
    _summary: str = ""

    def summary(self) -> str:
        """Return the statement in a line: ``Deny s3:Delete* on arn:… (condition …)``."""
        if self._summary:
            return self._summary
        actions = ("everything except " if self.not_action else "") + ", ".join(self.actions[:4])
        if len(self.actions) > 4:
            actions += f" and {len(self.actions) - 4} more"
        resources = ("all but " if self.not_resource else "") + ", ".join(self.resources[:3])
        text = f"{self.effect} {actions} on {resources or '*'}"
        if self.condition:
            text += f" when {json.dumps(self.condition, separators=(',', ':'), sort_keys=True)}"
        self._summary = f"{self.label}: {text}"[:300]
        return self._summary


class PolicyError(ValueError):
    """A policy document or statement cannot be read; ``path`` says where."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(reason)
        self.path = path


def parse_document(document: Any, path: str, label: str) -> list[Statement]:
    """Return the statements of a policy document (a JSON object or URL-encoded JSON text).

    Raises:
        PolicyError: The document or one of its statements is malformed or too large.
    """
    if isinstance(document, str):
        try:
            document = json.loads(urllib.parse.unquote(document))
        except json.JSONDecodeError as exc:
            raise PolicyError(path, f"the policy document is not JSON ({exc.msg})") from exc
    if not isinstance(document, dict):
        raise PolicyError(path, "the policy document is not a JSON object")
    statements = as_list(document.get("Statement"))
    if not statements:
        raise PolicyError(path, "the policy document has no Statement")
    if len(statements) > MAX_STATEMENTS:
        raise PolicyError(
            path,
            f"the policy has {len(statements):,} statements, more than the "
            f"{MAX_STATEMENTS:,} Assay reads in one policy (AWS itself allows far fewer)",
        )
    many = len(statements) > 1 or isinstance(document.get("Statement"), list)
    out = []
    for number, raw in enumerate(statements):
        where = f"{path}.Statement[{number}]" if many else f"{path}.Statement"
        sid = raw.get("Sid") if isinstance(raw, dict) else None
        name = f"{label}, statement {sid or number + 1}"
        out.append(parse_statement(raw, where, name))
    return out


def parse_statement(raw: Any, path: str, label: str) -> Statement:
    """Return one statement, checked for shape.

    Raises:
        PolicyError: It is not an object, has no valid Effect, or lists malformed entries.
    """
    if not isinstance(raw, dict):
        raise PolicyError(path, "the statement is not a JSON object")
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise PolicyError(path, f"Effect is {effect!r}, not Allow or Deny")
    not_action = "NotAction" in raw and "Action" not in raw
    actions = _strings(raw.get("NotAction" if not_action else "Action"), f"{path}.Action")
    not_resource = "NotResource" in raw and "Resource" not in raw
    resources = _strings(raw.get("NotResource" if not_resource else "Resource"), f"{path}.Resource")
    condition = raw.get("Condition")
    if condition is not None and not isinstance(condition, dict):
        raise PolicyError(f"{path}.Condition", "the condition is not a JSON object")
    principals = _principals(raw.get("Principal"), f"{path}.Principal")
    if not actions and not not_action:
        raise PolicyError(path, "the statement has neither Action nor NotAction")
    return Statement(
        effect,
        actions,
        resources,
        label,
        path,
        not_action,
        not_resource,
        condition or None,
        principals,
    )


def _strings(value: Any, path: str) -> list[str]:
    items = as_list(value)
    if len(items) > MAX_ENTRIES:
        raise PolicyError(path, f"lists {len(items):,} entries, more than {MAX_ENTRIES:,}")
    for number, item in enumerate(items):
        if not isinstance(item, str):
            raise PolicyError(f"{path}[{number}]", f"{item!r} is not text")
    return items


def _principals(value: Any, path: str) -> dict[str, list[str]]:
    if value is None:
        return {}
    if value == "*":
        return {"*": ["*"]}
    if not isinstance(value, dict):
        raise PolicyError(path, "Principal is neither '*' nor a JSON object")
    return {str(kind): _strings(items, f"{path}.{kind}") for kind, items in value.items()}


@functools.lru_cache(maxsize=1 << 16)
def patterns_overlap(first: str, second: str) -> bool:
    """Return True when two IAM patterns (actions or ARNs, ``*`` and ``?``) may match alike."""
    a, b = first.lower(), second.lower()
    return a == b or fnmatch.fnmatchcase(a, b) or fnmatch.fnmatchcase(b, a)


@dataclass(frozen=True, slots=True)
class ResourceRef:
    """A resource named by a statement: its inventory id, name and kind."""

    ident: str
    name: str
    kind: str


@functools.lru_cache(maxsize=1 << 16)
def resource_of(arn: str, account: str, service: str) -> ResourceRef:
    """Return the resource an ARN pattern stands for.

    ``*`` is the whole account, or every resource of the action's service in it; a trailing
    ``/*`` or ``:*`` (the objects of a bucket, the streams of a log group) is the parent resource.

    Args:
        arn: The statement's resource pattern.
        account: The export's account (for ``*`` and ARNs without one, such as S3's).
        service: The action's service (empty for ``*``).
    """
    if arn == "*":
        if service:
            return ResourceRef(
                f"aws-account:{account}:{service}",
                f"every {service} resource of AWS account {account}",
                f"AWS {service} (all)",
            )
        return ResourceRef(
            f"aws-account:{account}", f"AWS account {account} (every resource)", "AWS account"
        )
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return ResourceRef(arn, arn, "AWS resource")
    _arn, partition, arn_service, region, owner, rest = parts
    while rest.endswith(("/*", ":*")) and len(rest) > 2:
        rest = rest[:-2]
    if arn_service == "s3" and "/" in rest:
        rest = rest.split("/", 1)[0]
    if rest == "*":
        ident = f"arn:{partition}:{arn_service}:{region}:{owner or account}:*"
        return ResourceRef(ident, f"every {arn_service} resource", f"AWS {arn_service} (all)")
    type_part = rest.split("/", 1)[0].split(":", 1)[0] if ("/" in rest or ":" in rest) else ""
    kind = (
        f"{arn_service} {type_part}".strip()
        if type_part
        else _DEFAULT_TYPE.get(arn_service, arn_service)
    )
    name = rest.rsplit("/", 1)[-1] if "/" in rest else rest.rsplit(":", 1)[-1]
    return ResourceRef(f"arn:{partition}:{arn_service}:{region}:{owner}:{rest}", name, kind)


_DEFAULT_TYPE = {"s3": "s3 bucket", "sqs": "sqs queue", "sns": "sns topic"}
