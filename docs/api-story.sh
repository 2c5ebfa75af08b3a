#!/usr/bin/env bash
# The whole case story through the API only (/api/v1/), against `make up`'s demo data:
#
#   officer1 claims an outreach the lost-contact sweep opened, logs three attempts and gives
#   up → the coordinator requests an inquiry (the department read from the task's form),
#   prints the paper letter → the public-security liaison answers "not found" → officer1
#   concludes the search → secretary1 proposes suspension → a committee approver pre-reviews
#   → officer1 notifies the member and closes the defence → secretary1 records the branch
#   meeting → a committee approver approves: the decision is in force, its documents issued.
#   Then the member returns: officer1 records the application for restoration → secretary1
#   proposes 恢复党籍 → a committee approver pre-reviews → the coordinator (the organisation
#   department) approves → officer1 archives the case; the member is back to normal.
#
# Usage:  bash docs/api-story.sh            (BASE=http://127.0.0.1:8000, demo passwords)
#         BASE=http://host:port PASSWORD=… bash docs/api-story.sh
# Needs curl and python3. Each run consumes one unclaimed outreach task of officer1's branch
# (the demo seeds a few); it stops with a message when none is left.
set -euo pipefail

BASE=${BASE:-http://127.0.0.1:8000}
PASSWORD=${PASSWORD:-Lianluo@2026}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

say() { printf '\n== %s\n' "$*"; }
die() { printf 'api-story: %s\n' "$*" >&2; exit 1; }

# json EXPR: evaluate a Python expression over the JSON on stdin (`d` is the document).
json() { python3 -c 'import json,sys; d=json.load(sys.stdin); r=eval(sys.argv[1]); print(r if isinstance(r,str) else json.dumps(r, ensure_ascii=False))' "$1"; }

declare -A TOKEN
login() {  # login USER: a personal token for USER
  local body
  body=$(printf '{"username": "%s", "password": "%s", "name": "api-story"}' "$1" "$PASSWORD")
  TOKEN[$1]=$(curl -sS -f -X POST "$BASE/api/v1/auth/token/" \
    -H 'Content-Type: application/json' -d "$body" | json 'd["token"]') \
    || die "cannot log in as $1 (is \`make up\` running at $BASE?)"
}

# api USER METHOD PATH [JSON]: the response body on stdout; a 4xx/5xx stops the story.
api() {
  local user=$1 method=$2 path=$3 data=${4:-}
  local args=(-sS -o "$WORK/body" -w '%{http_code}' -X "$method" "$BASE$path"
    -H "Authorization: Bearer ${TOKEN[$user]}" -H 'Accept: application/json')
  [ -n "$data" ] && args+=(-H 'Content-Type: application/json' -d "$data")
  local status
  status=$(curl "${args[@]}")
  if [ "$status" -ge 400 ]; then
    printf '%s %s %s → %s\n' "$user" "$method" "$path" "$status" >&2
    cat "$WORK/body" >&2; echo >&2
    return 1
  fi
  cat "$WORK/body"
}

# Who may act in each role (tried in order: the first who may claim the task takes it).
declare -A PEOPLE=(
  [contact_officer]="officer1 secretary1"
  [branch_secretary]="secretary1"
  [coordinator]="coordinator"
  [committee_approver]="approver_edu approver_edu2 approver_gl"
)

open_task() {  # open_task STEP: the case's open task of that step (JSON), read as coordinator
  local row
  for _ in $(seq 1 20); do
    row=$(api coordinator GET "/api/v1/cases/$CASE/tasks/" \
      | json "next((t for t in d['results'] if t['step'] == '$1'), '')")
    [ -n "$row" ] && { echo "$row"; return; }
    sleep 0.5  # a wait resumed after commit (the liaison's answer) may take a moment
  done
  die "no open $1 task on case $CASE"
}

holder() {  # holder TASK_JSON: the user who holds the task (claiming it if unclaimed)
  local task=$1 id role owner
  id=$(json 'd["task_id"]' <<<"$task"); role=$(json 'd["role"]' <<<"$task")
  owner=$(json 'd["owner"] or ""' <<<"$task")
  for user in ${PEOPLE[$role]}; do
    if [ "$owner" = "$user" ]; then echo "$user"; return; fi
    if [ -z "$owner" ] && api "$user" POST "/api/v1/tasks/$id/claim/" >/dev/null 2>&1; then
      echo "$user"; return
    fi
  done
  die "nobody in role $role may take task $id"
}

# step STEP JSON_FIELDS: complete the case's STEP as its holder. `@initial:FIELD` in the
# fields is replaced by the form's initial value (dates are the server's today).
step() {
  local name=$1 fields=$2 task id user form
  task=$(open_task "$name"); id=$(json 'd["task_id"]' <<<"$task"); user=$(holder "$task")
  form=$(api "$user" GET "/api/v1/tasks/$id/form/")
  fields=$(FORM=$form python3 -c '
import json, os, sys
form = {f["name"]: f for f in json.loads(os.environ["FORM"])["fields"]}
data = json.loads(sys.argv[1])
for k, v in data.items():
    if isinstance(v, str) and v.startswith("@initial:"):
        data[k] = form[v.split(":", 1)[1]]["initial"]
print(json.dumps({"step": sys.argv[2], **data}, ensure_ascii=False))' "$fields" "$name")
  api "$user" POST "/api/v1/tasks/$id/complete/" "$fields" \
    | json '"%s → case %s; next: %s" % (d["task"]["step"], d["case_status"], [t["step"] for t in d["next_tasks"]])' \
    | sed "s/^/  $user: /"
}

say "log in (POST /api/v1/auth/token/)"
for user in officer1 secretary1 coordinator liaison_gongan approver_edu approver_edu2 approver_gl; do
  login "$user"; echo "  $user ✓"
done

say "officer1's group queue: an outreach opened by the lost-contact sweep"
TASK=$(api officer1 GET '/api/v1/tasks/queue/?page_size=200' \
  | json "next((t for t in d['results'] if t['step'] == 'outreach'), '')")
[ -n "$TASK" ] || die "no unclaimed outreach left in officer1's queue (reseed: manage.py seed_demo)"
CASE=$(json 'd["case"]' <<<"$TASK")
echo "  case $CASE: $(json 'd["member_name"]' <<<"$TASK") ($(json 'd["organisation_name"]' <<<"$TASK"))"
api officer1 GET "/api/v1/tasks/$(json 'd["task_id"]' <<<"$TASK")/form/" \
  | json '"  form: " + ", ".join("%s (%s)" % (f["name"], f["type"]) for f in d["fields"])'

say "outreach: three attempts, then the search is exhausted"
for channel in phone relative home_visit; do
  step outreach "{\"action\": \"record\", \"channel\": \"$channel\", \"outcome\": \"no_answer\"}"
done
step outreach '{"action": "not_reachable", "notes": "多方联系未果"}'

say "the coordinator requests an inquiry from public security (a department the form offers)"
REQ=$(open_task request_inquiries); REQ_ID=$(json 'd["task_id"]' <<<"$REQ"); holder "$REQ" >/dev/null
DEPT=$(api coordinator GET "/api/v1/tasks/$REQ_ID/form/" \
  | json "[c for f in d['fields'] if f['name'] == 'departments' for c in f['choices'] if c['role'] == 'public_security'][0]['value']")
echo "  department $DEPT"
step request_inquiries "{\"departments\": [$DEPT]}"
INQ=$(api coordinator GET "/api/v1/inquiries/?case=$CASE" | json 'd["results"][0]')
echo "  inquiry $(json 'd["id"]' <<<"$INQ"): $(json 'd["status"]' <<<"$INQ")"
INQ_ID=$(json 'd["id"]' <<<"$INQ")

say "the letter: batched, printed (POST /api/v1/letters/print/), the inquiry sent"
if ! api coordinator GET "/api/v1/departments/$DEPT/channel/" >/dev/null 2>&1; then
  api coordinator PUT "/api/v1/departments/$DEPT/channel/" '{"kind": "manual"}' \
    | json '"  channel: " + d["kind"]'
fi
api coordinator POST /api/v1/letters/send/ | json '"  letters created: %s" % d["created"]'
if [ "$(api coordinator GET /api/v1/letters/print-queue/ | json 'len(d["results"])')" != 0 ]; then
  curl -sS -f -X POST "$BASE/api/v1/letters/print/" -H "Authorization: Bearer ${TOKEN[coordinator]}" \
    -o "$WORK/letters.pdf"
  echo "  printed: $(wc -c <"$WORK/letters.pdf") bytes of PDF"
fi
api coordinator GET "/api/v1/inquiries/$INQ_ID/" | json '"  inquiry %s, sent at %s" % (d["status"], d["sent_at"])'

say "the liaison's inquiries, and the answer"
api liaison_gongan GET '/api/v1/inquiries/?status=sent&page_size=200' \
  | json "'  waiting: %d, ours among them: %s' % (len(d['results']), any(r['id'] == $INQ_ID for r in d['results']))"
api liaison_gongan POST "/api/v1/inquiries/$INQ_ID/answer/" '{"answer": "not_found"}' \
  | json '"  answered: " + d["answer"]'

say "the search concluded, the proposal, the reviews, the notice, the defence, the meeting"
step conclude_search '{"conclusion": "not_located", "comment": "经部门协查仍无法联系"}'
step propose '{"kind": "suspend", "grounds": ["lost_contact"], "reasons": "与党组织失去联系超过6个月，经多方查找仍无法取得联系。"}'
while api coordinator GET "/api/v1/cases/$CASE/tasks/" | json 'd["results"]' | grep -q '"pre_review"'; do
  step pre_review '{"decision": "agree", "comment": "同意"}'
done
step notice '{"notified_on": "@initial:notified_on", "how": "family"}'
step defence '{"defence_text": "本人无异议"}'
step meeting '{"decision": "record", "held_on": "@initial:held_on", "place": "党员活动室", "voting_members": 9, "present": 8, "votes_for": 8, "votes_against": 0, "abstentions": 0}'

say "the approvers panel (people with names and roles), then the approval"
api coordinator GET "/api/v1/cases/$CASE/approvers/" \
  | json '"  candidates: " + ", ".join("%s (%s)" % (p["name"], p["role_label"]) for p in d["candidates"])'
step approval '{"decision": "agree", "comment": "同意"}'

say "the decision in force"
api officer1 GET "/api/v1/cases/$CASE/" | json '"  case %s: %s" % (d["id"], d["status"])'
api officer1 GET "/api/v1/documents/?case=$CASE&page_size=200" \
  | json '"  documents: " + ", ".join(sorted(x["kind"] for x in d["results"]))'
STATUS=$(api officer1 GET "/api/v1/cases/$CASE/" | json 'd["status"]')
[ "$STATUS" = "in_force" ] || die "the case ended as $STATUS, not in_force"
echo "  case $CASE went from detection to the decision in force through /api/v1/ only"

say "a second outcome: the member returns and is restored (恢复党籍)"
step restoration '{"applied_on": "@initial:applied_on", "application": "本人因在外地务工更换手机号，未能与党组织保持联系，现申请恢复党籍。"}'
step propose '{"kind": "restore", "grounds": [], "reasons": "经党支部教育和考察，同意恢复其党籍。"}'
while api coordinator GET "/api/v1/cases/$CASE/tasks/" | json 'd["results"]' | grep -q '"pre_review"'; do
  step pre_review '{"decision": "agree", "comment": "同意"}'
done
step approval '{"decision": "agree", "comment": "同意"}'
step close '{"comment": "归档"}'
MEMBER=$(api officer1 GET "/api/v1/cases/$CASE/" | json 'd["member"]')
STATUS=$(api officer1 GET "/api/v1/cases/$CASE/" | json 'd["status"]')
MEMBER_STATUS=$(api officer1 GET "/api/v1/members/$MEMBER/" | json 'd["status"]')
echo "  case $CASE: $STATUS; member $MEMBER: $MEMBER_STATUS"
[ "$STATUS" = "closed" ] && [ "$MEMBER_STATUS" = "normal" ] \
  || die "the restoration ended as case $STATUS, member $MEMBER_STATUS"
echo "done: suspension in force, then the restoration, through /api/v1/ only"
