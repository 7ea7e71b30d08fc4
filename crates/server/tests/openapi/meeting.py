"""One small meeting, played by a client generated from the served OpenAPI document.

Why this exists: a third party should be able to generate a client from /api/openapi.json
and use it without hand edits. crates/server/tests/openapi_client.rs generates the client
with openapi-python-client (PyPI), puts it on PYTHONPATH and runs this script against a real
server (BORGERMODE_BASE, BORGERMODE_ADMIN_TOKEN); the document itself is argv[1].

Two parts:
1. the meeting: organizer creates and opens it (admin token), citizens join (session token
   from the `bm_<meeting>` cookie, sent back as a bearer token), ask, upvote, report; a staff
   link for a panelist, the queue (query parameters), claim and answer; close; report (also as
   report.json) and archive. The generated clients raise on any status the document does not
   declare, and every answer is parsed by the generated models.
2. the limits: boundary requests (at a limit and one past it) are checked against the
   document's own request schemas (JSON Schema 2020-12) and sent to the server; the server
   must accept exactly what the schema accepts, so a schema-valid request never gets 422.

Any failed assertion exits non-zero with the step that failed.
"""

import importlib
import io
import json
import os
import pkgutil
import struct
import sys
import uuid
import zlib

import httpx

import borgermode_client.api as api_pkg
import borgermode_client.models as models
from borgermode_client import AuthenticatedClient, Client
from borgermode_client.types import File
from jsonschema import Draft202012Validator

BASE = os.environ["BORGERMODE_BASE"]
TIMEOUT = httpx.Timeout(30.0)
ADMIN = os.environ["BORGERMODE_ADMIN_TOKEN"]
with open(sys.argv[1], encoding="utf-8") as f:
    DOC = json.load(f)


def op(name):
    """The generated module of operation `name`, whatever tag it is filed under."""
    for m in pkgutil.iter_modules(api_pkg.__path__):
        try:
            return importlib.import_module(f"{api_pkg.__name__}.{m.name}.{name}")
        except ModuleNotFoundError:
            continue
    raise AssertionError(f"the generated client has no operation {name!r}")


def model(name, data):
    return getattr(models, name).from_dict(data)


def expect(resp, status, step):
    assert resp.status_code == status, (
        f"{step}: expected {status}, got {resp.status_code}: {resp.content[:400]!r}"
    )
    return resp.parsed


def session_token(resp, meeting):
    """The participant session from Set-Cookie `bm_<meeting id, 32 hex digits>`."""
    name = f"bm_{meeting.hex}="
    for part in resp.headers.get("set-cookie", "").split(","):
        part = part.strip()
        if part.startswith(name):
            return part[len(name):].split(";")[0]
    raise AssertionError(f"no {name} cookie in {resp.headers.get('set-cookie')!r}")


def anonymous():
    return Client(base_url=BASE, timeout=TIMEOUT, raise_on_unexpected_status=True)


def bearer(token):
    return AuthenticatedClient(base_url=BASE, token=token, timeout=TIMEOUT, raise_on_unexpected_status=True)


admin = bearer(ADMIN)

# --- 1. the meeting ---------------------------------------------------------------------

ack = expect(
    op("create_meeting").sync_detailed(
        client=admin,
        body=model("CreateMeetingRequest", {"title": "Borgermøde om havnen", "description": "Kom og spørg."}),
    ),
    201,
    "create meeting",
)
meeting = ack.meeting_id
assert isinstance(meeting, uuid.UUID), f"meeting_id is a UUID: {meeting!r}"
assert ack.seq == 1, ack

listed = expect(op("list_meetings").sync_detailed(client=admin), 200, "list meetings")
assert meeting in [m.id for m in listed], "the new meeting is listed"

ack = expect(op("open_meeting").sync_detailed(id=meeting, client=admin), 200, "open")
assert ack.seq == 2, ack

joined = {}
for name in ["Karen", "Bo"]:
    resp = op("join_meeting").sync_detailed(
        id=meeting, client=anonymous(), body=model("JoinRequest", {"display_name": name})
    )
    s = expect(resp, 201, f"join {name}")
    assert s.you.name == name and s.you.role.value == "citizen", s
    assert f"/m/{meeting}/mine#key=" in s.my_questions_link, s.my_questions_link
    joined[name] = (bearer(session_token(resp, meeting)), s.you.participant_id)
karen, karen_id = joined["Karen"]
bo, bo_id = joined["Bo"]

me = expect(op("get_me").sync_detailed(id=meeting, client=karen), 200, "me")
assert me.participant_id == karen_id, me

question = expect(
    op("create_post").sync_detailed(
        id=meeting,
        client=karen,
        body=model("CreatePostRequest", {"kind": "question", "body": "Hvornår starter byggeriet ved havnen?"}),
    ),
    201,
    "post a question",
)
qid = question.post_id
assert question.status == "visible", question

comment = expect(
    op("create_post").sync_detailed(
        id=meeting, client=bo, body=model("CreatePostRequest", {"kind": "comment", "body": "Godt spørgsmål."})
    ),
    201,
    "post a comment",
)

problem = expect(
    op("create_post").sync_detailed(
        id=meeting, client=anonymous(), body=model("CreatePostRequest", {"kind": "comment", "body": "hej"})
    ),
    401,
    "post without a session",
)
assert isinstance(problem, models.Problem) and problem.code == "unauthorized", problem

problem = expect(
    op("create_post").sync_detailed(
        id=meeting, client=karen, body=model("CreatePostRequest", {"kind": "comment", "body": "   "})
    ),
    422,
    "post an empty body",
)
assert problem.code == "validation_failed" and problem.field == "body", problem

vote = expect(
    op("vote_post").sync_detailed(id=meeting, post=qid, client=bo, body=model("VoteRequest", {"up": True})),
    200,
    "upvote",
)
assert vote.votes == 1 and vote.up, vote

# A report without a body: the body is optional.
expect(op("report_post").sync_detailed(id=meeting, post=comment.post_id, client=karen), 200, "report, no body")

link = expect(
    op("create_staff_link").sync_detailed(
        id=meeting,
        client=admin,
        body=model("CreateStaffLinkRequest", {"role": "panelist", "name": "Anne Borgmester", "role_line": "Borgmester"}),
    ),
    201,
    "staff link",
)
key = link.link.split("#key=")[1]
resp = op("exchange_staff_session").sync_detailed(client=anonymous(), body=model("StaffSessionRequest", {"key": key}))
s = expect(resp, 200, "exchange the staff link")
assert s.you.role.value == "panelist", s
anne = bearer(session_token(resp, meeting))

queue = expect(
    op("get_queue").sync_detailed(id=meeting, client=anne, sort=models.QueueSort("votes"), mine=False),
    200,
    "queue",
)
assert queue.sort.value == "votes" and [q.id for q in queue.questions] == [qid], queue
mine = expect(op("get_queue").sync_detailed(id=meeting, client=anne, mine=True), 200, "queue, mine=true")
assert mine.questions == [], "nothing is routed to Anne yet"

problem = expect(op("get_queue").sync_detailed(id=meeting, client=karen), 403, "queue as a citizen")
assert problem.code == "forbidden", problem

expect(op("claim_question").sync_detailed(id=meeting, post=qid, client=anne), 200, "claim")
ack = expect(
    op("answer_question").sync_detailed(
        id=meeting, post=qid, client=anne, body=model("WrittenAnswerRequest", {"body": "Til foråret."})
    ),
    200,
    "answer",
)
assert ack.seq is not None, ack

mine = expect(op("get_my_questions").sync_detailed(id=meeting, client=karen), 200, "my questions")
assert [q.id for q in mine.questions] == [qid], mine
assert mine.questions[0].to_dict()["question"]["state"] == "answered", mine.questions[0].to_dict()

posts = expect(op("get_meeting_posts").sync_detailed(id=meeting, client=anonymous()), 200, "posts")
assert {p.id for p in posts.posts} >= {qid, comment.post_id}, posts

expect(op("close_meeting").sync_detailed(id=meeting, client=admin), 200, "close")

report = expect(op("get_report").sync_detailed(id=meeting, client=admin), 200, "report")
assert report.participants == 2 and report.questions == 1 and report.comments == 1, report
assert report.votes == 1, report
report_json = expect(op("get_report_json").sync_detailed(id=meeting, client=admin), 200, "report.json")
assert report_json.to_dict() == report.to_dict(), "report.json is the same report"
problem = expect(op("get_report_json").sync_detailed(id=meeting, client=karen), 403, "report.json as a citizen")
assert problem.code == "forbidden", problem

archive = expect(op("get_archive").sync_detailed(id=meeting, client=anonymous()), 200, "archive")
answered = [p for p in archive.posts if p.id == qid]
assert answered and answered[0].answer.mode == "written" and answered[0].answer.text == "Til foråret.", archive

# --- 2. the limits: schema and server agree ---------------------------------------------


def schema_accepts(name, instance):
    validator = Draft202012Validator({**DOC, "$ref": f"#/components/schemas/{name}"})
    return validator.is_valid(instance)


checked = 0


def agree(schema, method, path, instance, client=admin):
    """Send `instance` as it is; 2xx exactly when the document's schema accepts it."""
    global checked
    valid = schema_accepts(schema, instance)
    resp = client.get_httpx_client().request(method, path, json=instance)
    accepted = 200 <= resp.status_code < 300
    assert accepted == valid, (
        f"{method} {path} {schema} {json.dumps(instance)[:120]}: the schema "
        f"{'accepts' if valid else 'refuses'} it, the server answered {resp.status_code} {resp.text[:300]}"
    )
    if not accepted:
        assert resp.headers["content-type"].startswith("application/problem+json"), resp.headers
    checked += 1
    return resp


def meeting_with(title="Grænser"):
    r = admin.get_httpx_client().post("/api/meetings", json={"title": title})
    assert r.status_code == 201, r.text
    return r.json()["meeting_id"]


for title in ["", "x" * 200, "x" * 201]:
    agree("CreateMeetingRequest", "POST", "/api/meetings", {"title": title})
for settings in [
    {"slow_mode_secs": 3600}, {"slow_mode_secs": 3601},
    {"max_body_chars": 0}, {"max_body_chars": 1}, {"max_body_chars": 20000}, {"max_body_chars": 20001},
    {"report_threshold": 0}, {"report_threshold": 1}, {"report_threshold": 1000}, {"report_threshold": 1001},
]:
    agree("CreateMeetingRequest", "POST", "/api/meetings", {"title": "t", "settings": settings})
agree("CreateMeetingRequest", "POST", "/api/meetings", {"title": "t", "description": "d" * 20001})
agree("CreateMeetingRequest", "POST", "/api/meetings", {"title": "t", "description": "d" * 20000})

m = meeting_with()
for body in [{"title": "y" * 200}, {"title": "y" * 201}, {"title": ""}]:
    agree("EditMeetingRequest", "PATCH", f"/api/meetings/{m}", body)
for name in ["", "n" * 40, "n" * 41]:
    agree("CreateStaffLinkRequest", "POST", f"/api/meetings/{m}/staff", {"role": "moderator", "name": name})
for line in ["r" * 80, "r" * 81]:
    agree("CreateStaffLinkRequest", "POST", f"/api/meetings/{m}/staff", {"role": "moderator", "name": "Mette", "role_line": line})
for notice in ["p" * 10000, "p" * 10001]:
    agree("PrivacyNoticeRequest", "PUT", f"/api/meetings/{m}/privacy", {"notice": notice})
for pct in [100, 101]:
    agree("ReportOptions", "PUT", f"/api/meetings/{m}/report-options", {"targets": {"women_min_pct": pct}})
admin.get_httpx_client().post(f"/api/meetings/{m}/open").raise_for_status()
for name in ["", "k" * 40, "k" * 41]:
    agree("JoinRequest", "POST", f"/api/meetings/{m}/join", {"display_name": name}, client=anonymous())

r = admin.get_httpx_client().post(f"/api/meetings/{m}/staff", json={"role": "moderator", "name": "Mette"})
key = r.json()["link"].split("#key=")[1]
r = anonymous().get_httpx_client().post("/api/staff-session", json={"key": key})
mette = bearer(session_token(r, uuid.UUID(m)))
r = anonymous().get_httpx_client().post(f"/api/meetings/{m}/join", json={"display_name": "Ib"})
ib_id = r.json()["you"]["participant_id"]
for minutes in [0, 1, 10080, 10081]:
    agree("MuteRequest", "POST", f"/api/meetings/{m}/participants/{ib_id}/mute", {"minutes": minutes}, client=mette)
r = anonymous().get_httpx_client().post(f"/api/meetings/{m}/join", json={"display_name": "Jo"})
jo = bearer(session_token(r, uuid.UUID(m)))
r = mette.get_httpx_client().post(f"/api/meetings/{m}/room-questions", json={"body": "Hvad med cykelstien?"})
q = r.json()["post_id"]
for reason in ["g" * 501, "g" * 500]:
    agree("ReasonRequest", "POST", f"/api/meetings/{m}/posts/{q}/report", {"reason": reason}, client=jo)
for body in [{}, {"panelist": str(ib_id), "department": "Teknik"}, {"department": "d" * 81}, {"department": "d" * 80}, {"department": "Teknik"}]:
    agree("AssignRequest", "POST", f"/api/meetings/{m}/questions/{q}/assign", body, client=mette)
for body in ["a" * 5001, "a" * 5000]:
    agree("WrittenAnswerRequest", "POST", f"/api/meetings/{m}/questions/{q}/answer", {"body": body}, client=mette)

r = admin.get_httpx_client().post("/api/organizations", json={"name": "Grænsekommune"})
assert r.status_code == 201, r.text
org = r.json()["id"]


def png_1x1():
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\x0b\x5c\xad")) + chunk(b"IEND", b"")


# The logo goes up as bytes (not a JSON array of integers) and comes back the same.
logo = png_1x1()
view = expect(
    op("put_logo").sync_detailed(id=uuid.UUID(org), client=admin, body=File(payload=io.BytesIO(logo), mime_type="image/png")),
    200,
    "upload the logo",
)
assert view.logo_url, view
got = expect(op("get_logo").sync_detailed(id=uuid.UUID(org), client=anonymous()), 200, "read the logo")
assert got.payload.read() == logo, "the logo comes back byte for byte"
problem = expect(
    op("put_logo").sync_detailed(id=uuid.UUID(org), client=admin, body=File(payload=io.BytesIO(b"GIF89a"), mime_type="image/png")),
    400,
    "upload a GIF",
)
assert problem.code == "unsupported_media_type", problem
for name in ["", "o" * 100, "o" * 101]:
    agree("CreateOrganizationRequest", "POST", "/api/organizations", {"name": name})
for name in ["o" * 100, "o" * 101]:
    agree("OrganizationPatch", "PATCH", f"/api/organizations/{org}", {"name": name})
for hours in [0, 1, 720, 721]:
    agree("CreateInviteRequest", "POST", f"/api/organizations/{org}/invites", {"valid_hours": hours})
for title, body in [("", "b"), ("t" * 120, "b"), ("t" * 121, "b"), ("t", "b" * 5000), ("t", "b" * 5001)]:
    agree("AnswerSnippetRequest", "POST", f"/api/organizations/{org}/answers", {"title": title, "body": body})
invite = admin.get_httpx_client().post(f"/api/organizations/{org}/invites").json()["link"].split("#invite=")[1]
base = {"invite": invite, "email": "navn@kommune.dk", "password": "et langt kodeord"}
# Refused ones first: an accepted one uses the invite up.
for extra in [{"display_name": ""}, {"display_name": "d" * 81}, {"display_name": "Dorte", "password": "kort"}, {"display_name": "d" * 80}]:
    agree("AcceptInviteRequest", "POST", "/api/account/invite", {**base, **extra}, client=anonymous())

print(f"meeting {meeting}: ok; {checked} boundary requests, schema and server agree")
