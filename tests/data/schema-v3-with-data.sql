-- An incident-bot database written by an older build (schema v3: before the text model of
-- schema v8), kept as SQL text so a review can read it. Made by `incident-bot demo --db FILE` of
-- a build from before e8f0d34 (which made schema v4: it only drops two indexes, so the rows of a
-- v3 and a v4 file are alike), then `sqlite3 FILE .dump` (its user_version and application_id
-- added at the end, which .dump leaves out).
--
-- Incident 2 was added by hand, as that build stored what it was sent: message texts as Slack
-- sent them (entities escaped), slash-command texts (title, notes, status notes, action items,
-- status-page texts) decoded. tests/storage/migrations_test.cpp migrates this file.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE incidents (
    id              INTEGER PRIMARY KEY,
    title           TEXT    NOT NULL,
    severity        INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 5),
    status          TEXT    NOT NULL,
    channel_id      TEXT    NOT NULL,
    channel_name    TEXT    NOT NULL,
    declared_by     TEXT    NOT NULL,
    declared_at     INTEGER NOT NULL,
    detected_at     INTEGER,
    acknowledged_at INTEGER,
    acknowledged_by TEXT    NOT NULL DEFAULT '',
    identified_at   INTEGER,
    mitigated_at    INTEGER,
    resolved_at     INTEGER,
    commander       TEXT    NOT NULL DEFAULT '',
    comms_lead      TEXT    NOT NULL DEFAULT '',
    reopen_count    INTEGER NOT NULL DEFAULT 0
);
INSERT INTO incidents VALUES(1,'Login page down',2,'resolved','C0SIM0002','inc-20261203-login-page-down','U0ALICE',1796302800957899,NULL,1796302801264117,'U0BOB',1796302802350645,1796302802812920,1796302803455033,'U0BOB','U0ALICE',0);
CREATE TABLE timeline (
    seq         INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    "key"       TEXT    UNIQUE CHECK ("key" IS NULL OR "key" <> ''),
    at          INTEGER NOT NULL,
    slack_ts    TEXT    NOT NULL DEFAULT '',
    "user"      TEXT    NOT NULL DEFAULT '',
    kind        TEXT    NOT NULL,
    tags        TEXT    NOT NULL DEFAULT '[]',
    "text"      TEXT    NOT NULL DEFAULT '',
    ref_ts      TEXT    NOT NULL DEFAULT '',
    attrs       TEXT    NOT NULL DEFAULT '{}',
    received_at INTEGER NOT NULL
);
INSERT INTO timeline VALUES(1,1,'cmd:67ebf3b9-ac88-3918-5538-2cd47c3c665b',1796302800957899,'','U0ALICE','declare','[]','declared sev2: Login page down','','{"severity":"sev2"}',1796302800957899);
INSERT INTO timeline VALUES(2,1,'EvU04Q000007',1796302800959894,'1796302800.959894','U0ALICE','join','[{"rule":"member_joined_channel","tag":"join"}]','joined','','{"inviter":"U0SIMBOT1"}',1796302800960172);
INSERT INTO timeline VALUES(3,1,'EvU04Q00000C',1796302800960657,'1796302800.960657','U0SIMBOT1','bot_message','[]',replace(':rotating_light: *Incident declared: Login page down*\n*Severity:* sev2 (major functionality broken, revenue affected)   *Status:* investigating   *Declared by:* <@U0ALICE>\nEverything said in this channel is recorded, with its time, for the post-incident review. Talk here as you work: hypotheses, commands you run, what you try.\n*Commands:* `/incident ack` · `sev <1-5>` · `status <investigating|identified|monitoring|resolved> [note]` · `commander @who` · `comms @who` · `note <text>` · `statuspage <text>` · `action <text> [@owner]` · `detected <time>` · `resolve [note]` · `summary` · `help`','\n',char(10)),'','{}',1796302800960872);
INSERT INTO timeline VALUES(4,1,'EvU04Q00000E',1796302801113613,'1796302801.113613','U0BOB','join','[{"rule":"member_joined_channel","tag":"join"}]','joined','','{"inviter":"U0ALICE"}',1796302801113930);
INSERT INTO timeline VALUES(5,1,'EvU04Q00000K',1796302801113732,'1796302801.113732','U0ALICE','message','[{"rule":"status:customers","tag":"status"}]','customers are reporting they can''t log in, the login page times out','','{}',1796302801114372);
INSERT INTO timeline VALUES(6,1,'cmd:f5862e77-83e5-f3fa-d011-851b6fc01072',1796302801264117,'','U0BOB','ack','[]','acknowledged by <@U0BOB>','','{}',1796302801264117);
INSERT INTO timeline VALUES(7,1,'EvU04Q00000P',1796302801267585,'1796302801.267585','U0SIMBOT1','bot_message','[]',':eyes: <@U0BOB> acknowledged the incident (TTA 0s).','','{}',1796302801267836);
INSERT INTO timeline VALUES(8,1,'cmd:1221f8d1-599d-2e91-073e-2711f4c8aa2d',1796302801418501,'','U0BOB','role','[]','<@U0BOB> is commander','','{"assignee":"U0BOB","role":"commander"}',1796302801418501);
INSERT INTO timeline VALUES(9,1,'EvU04Q00000U',1796302801419799,'1796302801.419799','U0SIMBOT1','bot_message','[]',':bust_in_silhouette: <@U0BOB> is now *commander* (set by <@U0BOB>).','','{}',1796302801420062);
INSERT INTO timeline VALUES(10,1,'EvU04Q00000W',1796302801573612,'1796302801.573612','U0CATHY','join','[{"rule":"member_joined_channel","tag":"join"}]','joined','','{"inviter":"U0BOB"}',1796302801573931);
INSERT INTO timeline VALUES(11,1,'EvU04Q000012',1796302801573725,'1796302801.573725','U0BOB','message','[{"rule":"hedge:i think","tag":"hypothesis"}]','I think the web tier is overloaded, looks like requests are queueing','','{}',1796302801574360);
INSERT INTO timeline VALUES(12,1,'EvU04Q000016',1796302801723899,'1796302801.723899','U0CATHY','message','[{"rule":"prompt:host#","tag":"command"}]','cathy#: top','','{}',1796302801724172);
INSERT INTO timeline VALUES(13,1,'EvU04Q00001A',1796302801880014,'1796302801.880014','U0CATHY','message','[]','there''s a service running I''m not familiar with and it''s taking 92% of the CPU','','{}',1796302801880260);
INSERT INTO timeline VALUES(14,1,'cmd:a6a424cb-b716-e479-06ba-599b22290c26',1796302802033795,'','U0ALICE','role','[]','<@U0ALICE> is comms lead','','{"assignee":"U0ALICE","role":"comms_lead"}',1796302802033795);
INSERT INTO timeline VALUES(15,1,'EvU04Q00001F',1796302802039217,'1796302802.039217','U0SIMBOT1','bot_message','[]',':bust_in_silhouette: <@U0ALICE> is now *comms lead* (set by <@U0ALICE>).','','{}',1796302802039506);
INSERT INTO timeline VALUES(16,1,'cmd:0f54dcce-d813-ec3e-4817-86ccb9e8e3e6',1796302802193830,'','U0ALICE','statuspage','[]','Investigating: some users cannot log in','','{}',1796302802193830);
INSERT INTO timeline VALUES(17,1,'EvU04Q00001K',1796302802199677,'1796302802.199677','U0SIMBOT1','bot_message','[]',':loudspeaker: Status page updated by <@U0ALICE>: “Investigating: some users cannot log in”','','{}',1796302802199999);
INSERT INTO timeline VALUES(18,1,'cmd:868fbb39-ad5a-6b4a-3f2f-e3e19b5c03b7',1796302802350645,'','U0BOB','status','[]','status investigating → identified: unknown process eating the CPU on the web hosts','','{"from":"investigating","note":"unknown process eating the CPU on the web hosts","to":"identified"}',1796302802350645);
INSERT INTO timeline VALUES(19,1,'EvU04Q00001P',1796302802357784,'1796302802.357784','U0SIMBOT1','bot_message','[]',':arrows_counterclockwise: Status investigating → *identified* (<@U0BOB>): unknown process eating the CPU on the web hosts','','{}',1796302802358086);
INSERT INTO timeline VALUES(20,1,'EvU04Q00001T',1796302802508584,'1796302802.508584','U0CATHY','message','[{"rule":"done:i+verb-ed","tag":"action"}]','I found an unknown service running on the host and I killed it','','{}',1796302802508835);
INSERT INTO timeline VALUES(21,1,'EvU04Q00001V',1796302802661582,'1796302802.661582','U0BOB','key_moment','[]',':pushpin:','1796302802.508584','{"item_user":"U0CATHY","reaction":"pushpin"}',1796302802661850);
INSERT INTO timeline VALUES(22,1,'EvU04Q00001Z',1796302802661647,'1796302802.661647','U0CATHY','message','[{"rule":"done:verb-ed","tag":"action"}]','gracefully stopped and started the web services and archived a few logs','','{}',1796302802662311);
INSERT INTO timeline VALUES(23,1,'cmd:cffd21b1-5f98-fb1c-86e8-3485a51afe68',1796302802812920,'','U0BOB','status','[]','status identified → monitoring: login page loads again','','{"from":"identified","note":"login page loads again","to":"monitoring"}',1796302802812920);
INSERT INTO timeline VALUES(24,1,'EvU04Q000024',1796302802819609,'1796302802.819609','U0SIMBOT1','bot_message','[]',':arrows_counterclockwise: Status identified → *monitoring* (<@U0BOB>): login page loads again','','{}',1796302802819898);
INSERT INTO timeline VALUES(25,1,'EvU04Q000028',1796302802973578,'1796302802.973578','U0ALICE','message','[{"rule":"status:support","tag":"status"}]','received 50 support requests and people are still talking about us on Twitter','','{}',1796302802973817);
INSERT INTO timeline VALUES(26,1,'cmd:fe9a3f7d-132d-6fa1-7533-e2d1b5b4da81',1796302803125456,'','U0ALICE','statuspage','[]','Resolved: login is working normally again','','{}',1796302803125456);
INSERT INTO timeline VALUES(27,1,'EvU04Q00002D',1796302803132201,'1796302803.132201','U0SIMBOT1','bot_message','[]',':loudspeaker: Status page updated by <@U0ALICE>: “Resolved: login is working normally again”','','{}',1796302803132559);
INSERT INTO timeline VALUES(28,1,'cmd:f4637b33-e125-74c5-32ad-230d7d7dcb5f',1796302803285781,'','U0BOB','action_item','[]','Find out what started the unknown service','','{"owner":"U0CATHY"}',1796302803285781);
INSERT INTO timeline VALUES(29,1,'EvU04Q00002I',1796302803302858,'1796302803.302858','U0SIMBOT1','bot_message','[]',':ballot_box_with_check: Action item: Find out what started the unknown service (owner <@U0CATHY>)','','{}',1796302803303311);
INSERT INTO timeline VALUES(30,1,'cmd:4a6467ce-85d4-d85a-81ac-67fca651ea3f',1796302803455033,'','U0BOB','resolve','[]','resolved: login restored, no errors for 10 minutes','','{"from":"monitoring","note":"login restored, no errors for 10 minutes","to":"resolved"}',1796302803455033);
INSERT INTO timeline VALUES(31,1,'EvU04Q00002N',1796302803461622,'1796302803.461622','U0SIMBOT1','bot_message','[]',':white_check_mark: *Resolved* by <@U0BOB> (TTR 2s): login restored, no errors for 10 minutes','','{}',1796302803461933);
INSERT INTO timeline VALUES(32,1,'EvU04Q00002P',1796302803474204,'1796302803.474204','U0SIMBOT1','bot_message','[]',replace(':white_check_mark: *Incident #1 resolved: Login page down*\n*Severity:* sev2 (major functionality broken, revenue affected) · *Commander:* <@U0BOB> · *Comms lead:* <@U0ALICE>\n*TTA* 0s · *TTR* 2s · *Phases:* detection n/a, response 1s, remediation 1s\n_TTA = acknowledged − start; TTR = resolved − start; start = detected, else declared (here: declared 13:00)_\n*Status:* investigating → identified 13:00 → monitoring 13:00 → resolved 13:00\n*Participants (3):*\n• <@U0ALICE> joined 13:00, first spoke 13:00, 2 messages\n• <@U0BOB> joined 13:00, first spoke 13:00, 1 message\n• <@U0CATHY> joined 13:00, first spoke 13:00, 4 messages\n*Hypotheses (1):*\n• I think the web tier is overloaded, looks like requests are queueing\n*Commands (1):*\n• cathy#: top\n*Actions (2):*\n• I found an unknown service running on the host and I killed it\n• gracefully stopped and started the web services and archived a few logs\n*Status page:* 2 updates, longest without news 1s (from the start 13:00 → 13:00)\n• 13:00 Investigating: some users cannot log in\n• 13:00 Resolved: login is working normally again\n*Action items (1):*\n• Find out what started the unknown service (<@U0CATHY>)\n*Key moments (1):*\n• 13:00 I found an unknown service running on the host and I killed it\n_Times UTC._','\n',char(10)),'','{}',1796302803477825);
INSERT INTO timeline VALUES(33,1,'EvU04Q00002R',1796302803485762,'1796302803.485762','U0SIMBOT1','bot_message','[]',replace(':spiral_note_pad: *Post-incident review of incident #1: Login page down*\n*When:* Friday 4 December 2026 (next business day, while memories are fresh)\n*A review is strongly recommended:*\n• sev2 (major functionality broken, revenue affected): sev1 and sev2 incidents always get a review\n*Invite (3):* <@U0ALICE>, <@U0BOB>, <@U0CATHY>\n*Facilitator:* Ask someone who was not involved in the incident to facilitate: they can ask the naive questions, keep the discussion blameless and let everyone who was there tell their part.\n*Questions to guide the discussion:*\n• When did we first know?\n• Who was alerted first, and when was the alert acknowledged?\n• Who joined the response, and when?\n• Which tasks helped, which hurt, and which made no difference?\n• What was said and shared, and where?\n• What surprised us?\n• What would help us know sooner and recover sooner?','\n',char(10)),'','{}',1796302803486528);
-- Incident 2 (by hand, see the top): someone typed `p99 > 2s & <x>` and a literal `<!channel>`.
INSERT INTO incidents VALUES(2,'p99 > 2s & <x> on checkout',1,'resolved','C0HOSTILE','inc-20261203-p99-2s-x-on-checkout','U0ALICE',1796306400000000,NULL,1796306460000000,'U0BOB',1796306520000000,NULL,1796306700000000,'U0BOB','',0);
INSERT INTO timeline VALUES(34,2,'cmd:hostile-declare',1796306400000000,'','U0ALICE','declare','[]','declared sev1: p99 > 2s & <x> on checkout','','{"severity":"sev1"}',1796306400000000);
INSERT INTO timeline VALUES(35,2,'EvHOSTILE01',1796306430000000,'1796306430.000000','U0ALICE','message','[]','p99 &gt; 2s &amp; rising, &lt;!channel&gt; ping <@U0BOB>','','{}',1796306430000100);
INSERT INTO timeline VALUES(36,2,'cmd:hostile-note',1796306440000000,'','U0BOB','note','[]','p99 > 2s & <x> <!channel> ask <@U0CATHY|cathy> see <https://grafana.example.com/d/1?a=1&b=2|dash>','','{}',1796306440000000);
INSERT INTO timeline VALUES(37,2,'cmd:hostile-status',1796306520000000,'','U0BOB','status','[]','status investigating → identified: cache & <db> timeouts','','{"from":"investigating","note":"cache & <db> timeouts","to":"identified"}',1796306520000000);
INSERT INTO timeline VALUES(38,2,'cmd:hostile-statuspage',1796306600000000,'','U0ALICE','statuspage','[]','Checkout is slow (p99 > 2s) & we''re on it','','{}',1796306600000000);
INSERT INTO timeline VALUES(39,2,'cmd:hostile-action',1796306650000000,'','U0BOB','action_item','[]','alert when p99 > 2s & <burst>','','{"owner":"U0CATHY"}',1796306650000000);
INSERT INTO timeline VALUES(40,2,'EvHOSTILE02',1796306660000000,'1796306660.000000','U0ALICE','edit','[]','p99 &gt; 3s now','1796306430.000000','{"previous_text":"p99 &gt; 2s &amp; rising, &lt;!channel&gt; ping <@U0BOB>"}',1796306660000100);
INSERT INTO timeline VALUES(41,2,'cmd:hostile-resolve',1796306700000000,'','U0BOB','resolve','[]','resolved: back < 2s & stable','','{"from":"identified","note":"back < 2s & stable","to":"resolved"}',1796306700000000);
INSERT INTO timeline VALUES(42,2,'cmd:hostile-ack',1796306460000000,'','U0BOB','ack','[]','acknowledged by <@U0BOB>','','{}',1796306460000000);
CREATE TRIGGER timeline_no_update BEFORE UPDATE ON timeline
BEGIN SELECT RAISE(ABORT, 'timeline is append-only'); END;
CREATE TRIGGER timeline_no_delete BEFORE DELETE ON timeline
BEGIN SELECT RAISE(ABORT, 'timeline is append-only'); END;
CREATE INDEX timeline_by_incident ON timeline(incident_id, at, seq);
CREATE INDEX incidents_by_channel ON incidents(channel_id);
CREATE INDEX incidents_open ON incidents(id) WHERE status <> 'resolved';
CREATE INDEX incidents_by_declared_at ON incidents(declared_at);
CREATE INDEX timeline_by_incident_kind ON timeline(incident_id, kind, at, seq);
COMMIT;
PRAGMA user_version = 3;
PRAGMA application_id = 1229082452;
