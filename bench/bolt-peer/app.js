// The benchmark's peer: the incident recorder as a team would write it with Bolt for JavaScript.
// Socket Mode, /incident start <title> (conversations.create + chat.postMessage), and every
// message and join in an incident channel recorded into SQLite (better-sqlite3, WAL,
// synchronous=FULL). Acks are Bolt's own: events are acked by Bolt before the listeners run,
// the command is acked by the handler.
//
//   SLACK_APP_TOKEN=xapp-… SLACK_BOT_TOKEN=xoxb-… [SLACK_API_URL=http://127.0.0.1:PORT/api/]
//   [BOLT_PEER_DB=bolt-peer.db] node app.js
'use strict';

const { App, LogLevel } = require('@slack/bolt');
const Database = require('better-sqlite3');

const db = new Database(process.env.BOLT_PEER_DB || 'bolt-peer.db');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec(`
  CREATE TABLE IF NOT EXISTS incidents (
    id           INTEGER PRIMARY KEY,
    title        TEXT NOT NULL,
    channel_id   TEXT NOT NULL UNIQUE,
    channel_name TEXT NOT NULL,
    declared_by  TEXT NOT NULL,
    declared_at  TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'investigating'
  );
  CREATE TABLE IF NOT EXISTS timeline (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    event_id    TEXT UNIQUE,
    kind        TEXT NOT NULL,
    user_id     TEXT,
    slack_ts    TEXT,
    text        TEXT,
    recorded_at TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS timeline_by_incident ON timeline(incident_id, slack_ts);
`);

const findIncident = db.prepare('SELECT id FROM incidents WHERE channel_id = ?');
const insertIncident = db.prepare(
  'INSERT INTO incidents (title, channel_id, channel_name, declared_by, declared_at) VALUES (?, ?, ?, ?, ?)',
);
const insertEntry = db.prepare(
  `INSERT OR IGNORE INTO timeline (incident_id, event_id, kind, user_id, slack_ts, text, recorded_at)
   VALUES (?, ?, ?, ?, ?, ?, ?)`,
);

function record(channel, eventId, kind, user, ts, text) {
  const incident = findIncident.get(channel);
  if (!incident) return; // not an incident channel
  insertEntry.run(incident.id, eventId, kind, user, ts, text, new Date().toISOString());
}

function channelName(title, now) {
  const day = now.toISOString().slice(0, 10).replace(/-/g, '');
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50);
  return `inc-${day}-${slug || 'incident'}`;
}

const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  appToken: process.env.SLACK_APP_TOKEN,
  socketMode: true,
  clientOptions: process.env.SLACK_API_URL ? { slackApiUrl: process.env.SLACK_API_URL } : {},
  logLevel: LogLevel.INFO,
});

app.command('/incident', async ({ command, ack, respond, client, logger }) => {
  const [verb, ...rest] = command.text.trim().split(/\s+/);
  if (verb !== 'start' || rest.length === 0) {
    await ack({ response_type: 'ephemeral', text: 'Usage: /incident start <title>' });
    return;
  }
  await ack();
  const title = rest.join(' ');
  try {
    const now = new Date();
    const created = await client.conversations.create({ name: channelName(title, now), is_private: false });
    const channel = created.channel;
    insertIncident.run(title, channel.id, channel.name, command.user_id, now.toISOString());
    await client.conversations.invite({ channel: channel.id, users: command.user_id });
    await client.chat.postMessage({
      channel: channel.id,
      text: `:rotating_light: Incident declared by <@${command.user_id}>: *${title}*`,
    });
    await respond({ response_type: 'ephemeral', text: `Declared in <#${channel.id}>` });
  } catch (error) {
    logger.error(error);
    await respond({ response_type: 'ephemeral', text: `:x: Couldn't declare the incident: ${error.message}` });
  }
});

app.message(async ({ message, body }) => {
  const kind = message.subtype === 'channel_join' ? 'join_message' : 'message';
  record(message.channel, body.event_id, kind, message.user, message.ts, message.text);
});

app.event('member_joined_channel', async ({ event, body }) => {
  record(event.channel, body.event_id, 'join', event.user, event.event_ts, null);
});

(async () => {
  await app.start();
  app.logger.info('bolt-peer: connected');
})();

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    await app.stop();
    db.close();
    process.exit(0);
  });
}
