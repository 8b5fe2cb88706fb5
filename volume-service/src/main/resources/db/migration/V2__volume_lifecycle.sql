-- The volume lifecycle: attachments to a node and a task, deletion, the history of every change,
-- the outbox of the events announcing them and the ids of the commands carried out.

alter table volume add column attached_task_id text;
-- Why the volume is in its state, in words: the fence's cause, the release's reason.
alter table volume add column state_reason text;

alter table volume drop constraint volume_state_check;
alter table volume add constraint volume_state_check
    check (state in ('AVAILABLE', 'ATTACHING', 'ATTACHED', 'DETACHING', 'FENCED', 'RELEASED', 'DELETED'));
-- A holder is a node and a task together, or nobody.
alter table volume add constraint volume_attachment_whole
    check ((attached_node_id is null) = (attached_task_id is null));
-- A replacement gives an identity a fresh volume (`pgdata-0~1`) with the same name while the old one
-- is kept, released: the id, computed from the app and the identity, is what identifies a volume.
alter table volume drop constraint volume_identity_name;
create index volume_identity on volume (app_id, identity);
-- The start-up recovery looks for attachments a crash left half done.
create index volume_attaching on volume (state) where state = 'ATTACHING';

-- One row per change of a volume (and per refusal, so an operator can see what was asked and why
-- it was not done). Never updated; volumes are never removed, so no foreign key is needed to read it.
create table volume_history (
    id             bigint       generated always as identity primary key,
    volume_id      text         not null,
    kind           text         not null,
    from_state     text,
    to_state       text         not null,
    node_id        text,
    task_id        text,
    fencing_epoch  bigint       not null,
    reason         text,
    command_id     text,
    at             timestamptz  not null default now()
);
create index volume_history_volume on volume_history (volume_id, id);

-- Events to publish on berth.volume-events, written in the transaction of the change they announce.
-- The relay publishes them in id order and deletes each once the broker has acknowledged it.
create table volume_outbox (
    id          bigint       generated always as identity primary key,
    volume_id   text         not null,
    event_id    text         not null,
    event       text         not null,
    created_at  timestamptz  not null default now()
);

-- Every command carried out, so a redelivered one changes nothing.
create table processed_command (
    command_id    text         primary key,
    volume_id     text         not null,
    command_type  text         not null,
    processed_at  timestamptz  not null default now()
);
