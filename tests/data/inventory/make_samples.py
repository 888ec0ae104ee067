"""Write the sample inventory files shipped in resources/samples (and a faulty copy for tests).

Run from the repository root: ``.venv/bin/python tests/data/inventory/make_samples.py``.
The files describe ACME Insurance (fictitious) in the shapes clients really send: a workbook
with a title banner, the client's own sheet names and headers and a few custom columns; a flat
semicolon-separated register in Windows-1252; and an AWS IAM credential report.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "resources" / "samples"
TEST_DATA = Path(__file__).resolve().parent
D = dt.date

SYSTEM_HEADERS = ["System ID", "System name", "Purpose", "Business owner", "Owner e-mail",
                  "Department", "Vendor", "Model", "Status", "Env", "Human oversight",
                  "Data classification", "Audience", "Tools", "Service accounts", "Tags",
                  "Next review", "Cost centre", "DPIA done"]  # fmt: skip
SYSTEMS = [
    ["ACME-AI-01", "Claims triage assistant", "Reads new claims and proposes a triage queue",
     "Maria Okafor", "Maria.Okafor@acme-insurance.example", "Claims", "Azure OpenAI", "gpt-4.1",
     "Live", "Prod", "Human in the loop", "Highly confidential", "Internal only",
     "claims-db; document-store", "sa-claims-triage", "claims; gen-ai", D(2026, 9, 30), "CC-410",
     "yes"],
    ["ACME-AI-02", "Underwriting copilot", "Drafts underwriting notes for brokers' submissions",
     "Li Wei", "li.wei@acme-insurance.example", "Underwriting", "Anthropic", "Claude",
     "Live", "Prod", "HITL", "Confidential", "Partners", "policy-db; pricing-api",
     "oauth-uw-copilot", "underwriting", D(2026, 6, 30), "CC-220", "yes"],
    ["ACME-AI-03", "Fraud scoring model", "Scores claims for fraud indicators",
     "Maria Okafor", "maria.okafor@acme-insurance.example", "Claims", "In-house",
     "Gradient boosting v7", "Live", "Production", "Advisory", "Restricted", "Internal",
     "", "sa-fraud-batch", "claims; ml", D(2026, 3, 31), "CC-410", "yes"],
    ["ACME-AI-04", "Customer service chatbot", "Answers policy questions on the public website",
     "Sam Jensen", "sam.jensen@acme-insurance.example", "Customer care", "Google", "Gemini",
     "Live", "prod", "Human on the loop", "Confidential", "Public", "policy-db; ticketing",
     "sa-chatbot; key-chatbot-search", "customer; gen-ai", D(2026, 4, 30), "CC-150", "yes"],
    ["ACME-AI-05", "Developer code assistant", "Suggests code in the IDE", "", "",
     "IT", "GitHub", "Copilot", "Live", "dev", "Advisory", "Internal", "Internal",
     "code-repos", "pat-dev-assistant", "engineering", "", "CC-900", "no"],
    ["ACME-AI-06", "Payments reconciliation agent", "Matches bank statements and books entries",
     "Ana Costa", "ana.costa@acme-insurance.example", "Finance", "In-house", "Agent framework",
     "Pilot", "Staging", "Autonomous", "Restricted", "Internal", "ledger-api; bank-sftp",
     "agent-recon", "finance; agentic", D(2026, 2, 28), "CC-300", "in progress"],
    ["ACME-AI-07", "Marketing copy generator", "Drafts campaign e-mails", "Tom Berg",
     "tom.berg@acme-insurance.example", "Marketing", "OpenAI", "gpt-4o-mini", "Pilot", "Test",
     "Human in the loop", "Internal", "Internal", "crm", "key-marketing-llm", "marketing",
     D(2026, 12, 31), "CC-600", "no"],
    ["ACME-AI-08", "Platform operations agent", "Restarts services and scales clusters",
     "Oscar Lind", "oscar.lind@acme-insurance.example", "IT", "In-house", "Agent framework",
     "Live", "Prod", "Fully autonomous", "Confidential", "Internal", "k8s-prod; ticketing",
     "sa-ops-agent", "platform; agentic", D(2026, 1, 31), "CC-900", "no"],
]  # fmt: skip

IDENTITY_HEADERS = ["Account", "Display name", "Type", "Platform", "Technical owner",
                    "Environment", "Created", "Last rotated", "Last used", "Expiry",
                    "How to revoke", "Vault path"]  # fmt: skip
IDENTITIES = [
    ["sa-claims-triage", "Claims triage service principal", "Service principal", "Entra ID",
     "platform-team@acme-insurance.example", "prod", D(2024, 11, 4), D(2025, 10, 1),
     D(2026, 1, 19), D(2026, 10, 1), "Disable the app registration (runbook RB-12)",
     "kv/claims/triage"],
    ["oauth-uw-copilot", "Underwriting copilot OAuth app", "OAuth client", "Entra ID",
     "platform-team@acme-insurance.example", "prod", "15/03/2025", "15/03/2025", "20/01/2026",
     "15/03/2027", "Revoke consent in the tenant", "kv/uw/copilot"],
    ["sa-fraud-batch", "Fraud batch account", "Service account", "On-prem AD",
     "data-team@acme-insurance.example", "prod", D(2021, 5, 2), D(2023, 1, 10), D(2026, 1, 20),
     "never", "", ""],
    ["sa-chatbot", "Chatbot service account", "Service account", "GCP",
     "sam.jensen@acme-insurance.example", "prod", D(2025, 2, 1), D(2025, 8, 1), D(2026, 1, 21),
     "", "Disable the service account in IAM", "sm/chatbot"],
    ["key-chatbot-search", "Chatbot search API key", "API key", "GCP",
     "sam.jensen@acme-insurance.example", "prod", D(2025, 2, 1), "N/A", D(2026, 1, 21), "",
     "Delete the key in the console", "sm/chatbot-search"],
    ["pat-dev-assistant", "Personal access token (O. Lind)", "PAT", "GitHub",
     "oscar.lind@acme-insurance.example", "dev", D(2025, 6, 1), D(2025, 6, 1), D(2026, 1, 18),
     D(2026, 6, 1), "Revoke the token in GitHub settings", ""],
    ["agent-recon", "Reconciliation agent identity", "Agent", "Entra ID",
     "ana.costa@acme-insurance.example", "staging", D(2025, 9, 1), D(2025, 9, 1),
     D(2026, 1, 21), D(2026, 9, 1), "Disable the agent identity", "kv/fin/recon"],
    ["key-marketing-llm", "Marketing LLM key", "API key", "OpenAI",
     "tom.berg@acme-insurance.example", "test", D(2024, 3, 3), D(2024, 3, 3), D(2025, 11, 2), "",
     "", ""],
    ["sa-ops-agent", "Operations agent", "Managed identity", "Azure",
     "oscar.lind@acme-insurance.example", "prod", D(2025, 1, 15), "", D(2026, 1, 21), "",
     "Remove the managed identity from the VM", ""],
    ["role-platform-deployer", "Platform deployer role", "IAM role", "Azure",
     "platform-team@acme-insurance.example", "prod", D(2023, 7, 1), "", D(2026, 1, 20), "",
     "Remove role assignments", ""],
    ["role-cluster-admin", "Cluster admin role", "Role", "Azure",
     "platform-team@acme-insurance.example", "prod", D(2023, 7, 1), "", D(2026, 1, 20), "", "", ""],
]  # fmt: skip

RESOURCE_HEADERS = ["Data store", "Name", "Type", "Env", "Classification"]
RESOURCES = [
    ["claims-db", "Claims database", "PostgreSQL", "prod", "restricted"],
    ["document-store", "Claim documents", "Blob storage", "prod", "restricted"],
    ["policy-db", "Policy database", "SQL Server", "prod", "confidential"],
    ["pricing-api", "Pricing API", "REST API", "prod", "confidential"],
    ["ticketing", "Service desk", "SaaS", "prod", "internal"],
    ["code-repos", "Source code", "GitHub", "prod", "confidential"],
    ["ledger-api", "General ledger API", "REST API", "staging", "restricted"],
    ["bank-sftp", "Bank statement drop", "SFTP", "prod", "restricted"],
    ["crm", "CRM", "SaaS", "prod", "confidential"],
    ["k8s-prod", "Production cluster", "Kubernetes", "prod", "restricted"],
]  # fmt: skip

GRANT_HEADERS = ["Principal", "Target", "Permission", "Scope", "Approval required", "Logged",
                 "Last used"]  # fmt: skip
GRANTS = [
    ["sa-claims-triage", "claims-db", "Read", "claims.*", "no", "yes", D(2026, 1, 19)],
    ["sa-claims-triage", "document-store", "read", "claims/", "no", "yes", D(2026, 1, 19)],
    ["oauth-uw-copilot", "policy-db", "Read", "", "no", "yes", D(2026, 1, 20)],
    ["oauth-uw-copilot", "pricing-api", "Invoke", "quote", "yes", "yes", D(2026, 1, 20)],
    ["sa-fraud-batch", "claims-db", "Read", "*", "no", "no", D(2026, 1, 20)],
    ["sa-chatbot", "policy-db", "read", "public_view", "no", "yes", D(2026, 1, 21)],
    ["sa-chatbot", "ticketing", "Read/Write", "", "no", "yes", D(2026, 1, 21)],
    ["pat-dev-assistant", "code-repos", "Write", "*", "no", "yes", D(2026, 1, 18)],
    ["agent-recon", "ledger-api", "Write", "journal-entries", "no", "yes", D(2026, 1, 21)],
    ["agent-recon", "bank-sftp", "Read", "/statements", "no", "no", D(2026, 1, 21)],
    ["key-marketing-llm", "crm", "Read", "segments", "no", "no", D(2025, 11, 2)],
    ["sa-ops-agent", "ticketing", "Write", "", "no", "yes", D(2026, 1, 21)],
    ["role-cluster-admin", "k8s-prod", "Full control", "*", "no", "yes", D(2026, 1, 20)],
]  # fmt: skip

DELEGATION_HEADERS = ["From", "Can assume", "Mechanism"]
DELEGATIONS = [
    ["sa-ops-agent", "role-platform-deployer", "AssumeRole"],
    ["role-platform-deployer", "role-cluster-admin", "assume role"],
    ["agent-recon", "sa-fraud-batch", "impersonation"],
]

FLAT_HEADERS = ["System ID", "System name", "Owner", "Owner e-mail", "Autonomy", "Identity",
                "Identity kind", "Resource", "Access", "Remarks"]  # fmt: skip
FLAT = [
    ["ACME-AI-10", "Broker e-mail sorter", "Jörg Müller", "jorg.muller@acme-insurance.example",
     "HOTL", "sa-mail-sorter", "service account", "mailbox-brokers", "read", "Pilot in Q1"],
    ["ACME-AI-10", "Broker e-mail sorter", "Jörg Müller", "jorg.muller@acme-insurance.example",
     "HOTL", "sa-mail-sorter", "service account", "ticketing", "write", ""],
    ["ACME-AI-11", "Contract clause checker", "Zoë Dubois", "zoe.dubois@acme-insurance.example",
     "advisory", "key-clause-llm", "API key", "contracts", "read", "Costs 1 200 € a month"],
]  # fmt: skip
FLAT_RESOURCES = [["Resource", "Sensitivity"], ["mailbox-brokers", "confidential"],
                  ["ticketing", "internal"], ["contracts", "confidential"]]  # fmt: skip

AWS_HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
    "cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
)
AWS_ROWS = [
    "<root_account>,arn:aws:iam::210987654321:root,2018-02-01T09:00:00+00:00,not_supported,"
    "2025-12-02T08:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,"
    "N/A,N/A,N/A,N/A,false,N/A,false,N/A",
    "svc-bedrock-claims,arn:aws:iam::210987654321:user/svc-bedrock-claims,"
    "2024-04-04T10:00:00+00:00,false,N/A,N/A,N/A,false,true,2024-04-04T10:05:00+00:00,"
    "2026-01-20T11:00:00+00:00,eu-west-1,bedrock,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
    "svc-legacy-ocr,arn:aws:iam::210987654321:user/svc-legacy-ocr,2019-09-09T10:00:00+00:00,"
    "false,N/A,N/A,N/A,false,true,2019-09-09T10:10:00+00:00,2024-12-01T00:00:00+00:00,"
    "us-east-1,textract,true,2022-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A",
    "oscar.lind,arn:aws:iam::210987654321:user/oscar.lind,2021-07-08T10:00:00+00:00,true,"
    "2026-01-21T07:30:00+00:00,2025-11-01T10:00:00+00:00,2026-02-01T10:00:00+00:00,true,true,"
    "2025-11-01T10:00:00+00:00,2026-01-21T07:45:00+00:00,eu-west-1,sts,false,N/A,N/A,N/A,N/A,"
    "false,N/A,false,N/A",
]


def _workbook(path: Path, *, faulty: bool = False) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    register = book.create_sheet("AI System Register")
    register.append(["ACME Insurance — AI system register (extract for the assessment)"])
    register.merge_cells("A1:F1")
    register["A1"].font = Font(bold=True, size=13)
    register.append(["Owner: Group Risk. Classification: confidential."])
    register.append([])
    register.append(SYSTEM_HEADERS)
    systems = [row[:] for row in SYSTEMS]
    if faulty:
        systems[1][16] = "31/02/2026"
        systems.append(systems[0][:])
    for row in systems:
        register.append(row)
    for title, headers, rows in (
        ("Service Accounts", IDENTITY_HEADERS, IDENTITIES),
        ("Data Stores", RESOURCE_HEADERS, RESOURCES),
        ("Access", GRANT_HEADERS, GRANTS + ([["sa-ghost", "claims-db", "read"]] if faulty else [])),
        ("Trust", DELEGATION_HEADERS, DELEGATIONS),
    ):
        sheet = book.create_sheet(title)
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
    notes = book.create_sheet("Notes")
    notes.append(["Extract prepared by Group Risk for the AI assurance review."])
    book.save(path)
    return path


def _csv(rows: list[list], delimiter: str) -> str:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue()


def write_samples(samples: Path = SAMPLES, test_data: Path = TEST_DATA) -> list[Path]:
    """Write every sample file; return their paths."""
    samples.mkdir(parents=True, exist_ok=True)
    test_data.mkdir(parents=True, exist_ok=True)
    written = [_workbook(samples / "acme-inventory.xlsx")]
    flat = samples / "acme-register-flat.csv"
    flat.write_bytes(_csv([FLAT_HEADERS, *FLAT], ";").encode("cp1252"))
    resources = samples / "acme-register-resources.csv"
    resources.write_text(_csv(FLAT_RESOURCES, ","), encoding="utf-8-sig")
    aws = samples / "aws-credential-report.csv"
    aws.write_text("\n".join([AWS_HEADER, *AWS_ROWS]) + "\n", encoding="utf-8")
    written += [flat, resources, aws]
    written.append(_workbook(test_data / "acme-inventory-with-problems.xlsx", faulty=True))
    return written


if __name__ == "__main__":
    for written_path in write_samples():
        sys.stdout.write(f"wrote {written_path.relative_to(ROOT)}\n")
