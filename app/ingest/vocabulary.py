"""The words clients write for each enumerated value, and how a cell is read against them.

A cell is looked up as written, then by its option text when a form put a letter, number or
tick box before it and an explanation after it (``a) Pre-deployment – in development``,
``3 - High``, ``[x] Yes``). Words that say "not known" (``n/a``, ``?``, ``TBC``...) read as
unrecorded. ``docs/import-aliases.md`` lists every variant (see :func:`vocabulary_markdown`).
"""

from __future__ import annotations

import logging
import re
from enum import StrEnum

from app.domain.enums import (
    Action,
    Autonomy,
    DelegationKind,
    Environment,
    Exposure,
    IdentityKind,
    LifecycleStage,
    Sensitivity,
)
from app.ingest.fields import header_key

logger = logging.getLogger(__name__)

#: Words that say the value is not known: the field reads as unrecorded.
UNRECORDED_WORDS = ("n/a", "na", "n.a.", "none", "never", "null", "nil", "no_information",
                    "not_supported", "not set", "unknown", "not known", "unk", "tbd", "tbc",
                    "tba", "to be confirmed", "to be determined", "not applicable",
                    "not recorded", "unspecified", "not specified", "pending", "?", "??", "???",
                    "-", "--", "—", "–", ".")  # fmt: skip
_UNRECORDED_KEYS = frozenset(k for k in (header_key(w) for w in UNRECORDED_WORDS) if k)
_UNRECORDED_SYMBOLS = frozenset(w for w in UNRECORDED_WORDS if not header_key(w).isalnum())

# A form's option marker before the option text: "a)", "(b)", "3 -", "1.", "[x]", "☑".
_MARKER = re.compile(
    r"^\s*(?:\[\s*[xX✓✔*]?\s*\]|[☑☒✓✔■□●○•▪-]|\(?[A-Za-z]\)|[A-Za-z]\.(?=\s)"
    r"|\(?\d{1,2}\s*[).:–—-]|\d{1,2}(?=\s+[A-Za-z]))\s*"
)
# Where an option's explanation starts: a dash with spaces, a colon, a bracket, a full stop.
_EXPLANATION = re.compile(r"\s+[–—-]\s+|:\s|\s\(|\.\s|\s/\s")

# Spelling variants (compared by header_key) of each vocabulary, beside the values themselves.
# fmt: off
VARIANTS: dict[type[StrEnum], dict[str, str]] = {
    Environment: {
        "production": "prod | prd | live | prod env | p | production environment | live service "
                      "| prd env | bau",
        "staging": "stage | stg | preprod | pre-production | pre prod | acceptance | uat | "
                   "pre-live | preprod env | model office",
        "test": "testing | tst | qa | quality assurance | integration | sit | non-prod | "
                "nonprod | non production | test env",
        "development": "dev | develop | sandbox | lab | local | dev env | sbx | poc env",
    },
    LifecycleStage: {
        "planned": "plan | planning | idea | proposed | proposal | design | backlog | concept | "
                   "ideation | intake | initiated | requested | under assessment | "
                   "in assessment | not started",
        "development": "dev | in development | build | building | implementation | "
                       "pre-deployment | pre deployment | predeployment | "
                       "acquisition and/or development | acquisition and development | "
                       "in build | under development",
        "pilot": "poc | proof of concept | trial | beta | pilot phase | experiment | mvp | "
                 "preview | piloting | in pilot | limited release | "
                 "implementation and assessment | testing phase",
        "production": "prod | live | deployed | in production | operational | in use | active | "
                      "ga | general availability | run | post-deployment | in service | "
                      "operation and maintenance | operations and maintenance | bau | "
                      "business as usual | production use",
        "retired": "decommissioned | sunset | archived | retiring | deprecated | withdrawn | "
                   "end of life | eol | inactive | decommissioning | discontinued | "
                   "cancelled | canceled | switched off | out of use",
    },
    Autonomy: {
        "advisory": "advise | advisor | recommend | recommendation | recommendations only | "
                    "assistive | assist | decision support | suggest | suggestions | "
                    "informational | read only | none | advisory only | decision support only | "
                    "human decides | information only | insight only | no autonomy | manual | "
                    "copilot | assistant | augmentation | human makes the decision",
        "human-in-the-loop": "hitl | human in loop | human approval | approval required | "
                             "human approves | semi autonomous | semi-automated | semi auto | "
                             "human review | human review required | reviewed by a human | "
                             "partially automated | partial autonomy | human validation | "
                             "four eyes | maker checker",
        "human-on-the-loop": "hotl | human on loop | supervised | human oversight | monitored | "
                             "human supervision | supervised autonomy | exception based | "
                             "monitored autonomy | human can intervene",
        "autonomous": "fully autonomous | full autonomy | agentic | unattended | automated | "
                      "fully automated | full | no human | auto | human out of the loop | "
                      "autonomous agent | full automation | straight through | "
                      "straight-through processing | stp | no human in the loop | lights out | "
                      "self-acting | hootl",
    },
    Sensitivity: {
        "public": "open | unclassified | public data | c0 | tlp clear | tlp white | "
                  "public information | unrestricted | non-sensitive | not sensitive",
        "internal": "internal use | internal only | internal use only | company | private | c1 | "
                    "tlp green | low | general | business use | official | internal data",
        "confidential": "sensitive | confidential data | c2 | tlp amber | medium | pii | "
                        "personal | personal data | customer data | client data | "
                        "commercial in confidence | company confidential | official sensitive | "
                        "confidential pii | gdpr personal data | moderate",
        "restricted": "secret | highly confidential | strictly confidential | highly restricted | "
                      "top secret | c3 | c4 | tlp red | high | critical | special category | "
                      "phi | pci | special category data | pci dss | card data | cardholder data | "
                      "health data | biometric | biometric data | restricted data | "
                      "very high | most sensitive | spi | sensitive personal data",
    },
    Exposure: {
        "internal": "internal only | internal use only | employees | staff | intranet | private | "
                    "internal users | "
                    "back office | corporate | internal facing | employee facing | staff only | "
                    "not exposed | colleagues | no | n | not internet facing",
        "partner": "partners | b2b | third party | third parties | extranet | suppliers | "
                   "vendors | partner facing | partner-facing | brokers | intermediaries | "
                   "partner only | partners only | third parties only",
        "public": "external | internet | internet facing | customer facing | customers | "
                  "public facing | b2c | open | anonymous | everyone | customer-facing | "
                  "public internet | external customers | members of the public | "
                  "consumer facing | client facing | website | yes | y",
    },
    IdentityKind: {
        "service-account": "svc | sa | service principal | spn | system account | "
                           "technical account | machine account | service user | bot account | "
                           "non human | nhi | svc acct | svc account | service acct | "
                           "integration user | integration account | iam user | technical user | "
                           "system user | application user | api user | functional account | "
                           "generic account | robot account | non-personal account | npa | "
                           "gcp service account | aws iam user",
        "api-key": "key | access key | token | api token | pat | personal access token | secret | "
                   "bearer token | client secret | apikey | access key id | secret key | "
                   "shared secret | sas token | sas | webhook secret | api secret",
        "oauth-client": "oauth | oauth app | oauth application | app registration | "
                        "client credentials | application | app | enterprise application | "
                        "client | oauth client | enterprise app | application registration | "
                        "connected app | oidc client",
        "agent-identity": "agent | ai agent | agent id | bot | workload agent | agentic identity | "
                          "agent account",
        "managed-identity": "msi | workload identity | system assigned | user assigned | "
                            "instance profile | workload identity federation | pod identity | "
                            "mi | system-assigned managed identity | "
                            "user-assigned managed identity",
        "role": "iam role | aws role | assumable role | group | cloud role | assumed role | "
                "role arn",
        "human-delegation": "delegation | delegated | delegated access | on behalf of | obo | "
                            "user delegation | consent",
        "human-user": "user | human | person | employee | named user | root | root account | "
                      "personal account | user account | human account",
    },
    Action: {
        "read": "r | view | viewer | reader | list | get | select | query | readonly | ro | "
                "browse | download | read access | read-only | view only | r/o | describe",
        "execute": "exec | x | invoke | run | call | trigger | use | send | execute access | "
                   "restart | start | stop | operate | invoker | user",
        "write": "w | update | create | modify | edit | put | post | delete | insert | "
                 "contributor | editor | read write | rw | upload | write access | change | "
                 "read/write | r/w | writer | deploy",
        "admin": "administrator | owner | full | full control | full access | * | all | manage | "
                 "superuser | root | admin access | god mode | privileged | administer | *:* | "
                 "all permissions | full admin",
    },
    DelegationKind: {
        "assume-role": "assume | sts:AssumeRole | role chaining | switch role | trust",
        "impersonate": "impersonation | act as | run as | service account user | "
                       "token creator | sudo",
        "on-behalf-of": "obo | delegated | delegation | oauth delegation | user delegation | "
                        "token exchange",
    },
}
# fmt: on


def _variants(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split("|") if part.strip())


def vocabulary_key(text: str) -> str:
    """Return the key a vocabulary word is looked up by (symbols such as ``*`` kept as is)."""
    return header_key(text) or text.strip().lower()


def _vocabulary(enum: type[StrEnum]) -> dict[str, str]:
    table = {header_key(member.value): member.value for member in enum}
    for value, variants in VARIANTS.get(enum, {}).items():
        for variant in _variants(variants):
            table.setdefault(vocabulary_key(variant), value)
    return table


_VOCABULARIES: dict[type[StrEnum], dict[str, str]] = {e: _vocabulary(e) for e in VARIANTS}


def vocabulary(enum: type[StrEnum]) -> dict[str, str]:
    """Return the lookup table of a vocabulary: word key → canonical value."""
    return _VOCABULARIES.get(enum) or _vocabulary(enum)


def is_unrecorded(text: str) -> bool:
    """Return True for text that says the value is not known (``n/a``, ``?``, ``TBC``...)."""
    stripped = text.strip()
    if not stripped or stripped in _UNRECORDED_SYMBOLS:
        return True
    key = header_key(stripped)
    return key in _UNRECORDED_KEYS if key.isalnum() else False


def option_texts(text: str) -> list[str]:
    """Return what a cell may mean, most literal first: as written, then as a form's option.

    ``"a) Pre-deployment – The use case is in development"`` gives the whole text, then
    ``"Pre-deployment – The use case…"`` and ``"Pre-deployment"``; ``"3 - High"`` gives ``"High"``.
    """
    found = [text]
    bare = _MARKER.sub("", text, count=1).strip()
    if bare and bare != text:
        found.append(bare)
    head = _EXPLANATION.split(bare or text, maxsplit=1)[0].strip()
    if head and head not in found:
        found.append(head)
    return found


def lookup(table: dict[str, str], text: str) -> str | None:
    """Return the canonical value a cell's text stands for in a vocabulary, if any."""
    for option in option_texts(text):
        found = table.get(vocabulary_key(option))
        if found is not None:
            return found
    return None


def vocabulary_variants(enum: type[StrEnum]) -> dict[str, tuple[str, ...]]:
    """Return the accepted spelling variants of each value of a vocabulary (for the docs)."""
    return {value: _variants(text) for value, text in VARIANTS.get(enum, {}).items()}


def vocabulary_markdown() -> str:
    """Return the accepted spelling variants of every vocabulary as Markdown (for the docs)."""
    lines: list[str] = []
    for enum, variants in VARIANTS.items():
        lines += [f"### {enum.__name__}", "", "| Value | Also accepted |", "|---|---|"]
        for value, text in variants.items():
            accepted = ", ".join(f"`{v}`" for v in _variants(text))
            lines.append(f"| `{value}` | {accepted} |")
        lines.append("")
    words = ", ".join(f"`{w}`" for w in UNRECORDED_WORDS)
    lines += ["### Not known", "",
              f"These read as unrecorded in any vocabulary, date or yes/no column: {words}, "
              "and an empty cell.", ""]  # fmt: skip
    return "\n".join(lines).rstrip() + "\n"
