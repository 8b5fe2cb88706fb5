-- Persistent-volume metadata. One row per volume; an app identity (db-0) owns its volumes for life.
create table volume (
    id                text         primary key,
    name              text         not null,
    app_id            text         not null,
    identity          text         not null,
    type              text         not null check (type in ('LOCAL', 'EXTERNAL')),
    provider          text         not null,
    size_mib          bigint       not null check (size_mib > 0),
    -- LOCAL: the node the volume was created on; the identity always returns there.
    node_id           text,
    state             text         not null default 'AVAILABLE'
                      check (state in ('AVAILABLE', 'ATTACHING', 'ATTACHED', 'DETACHING', 'FENCED', 'RELEASED')),
    attached_node_id  text,
    -- EXTERNAL: raised on every forced move, so a node holding an older epoch can be refused.
    fencing_epoch     bigint       not null default 0,
    version           bigint       not null default 0,
    created_at        timestamptz  not null default now(),
    updated_at        timestamptz  not null default now(),
    constraint volume_identity_name unique (app_id, identity, name),
    constraint volume_local_has_node check (type <> 'LOCAL' or node_id is not null)
);

create index volume_app on volume (app_id);
create index volume_node on volume (node_id);
