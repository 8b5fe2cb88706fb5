package dev.berth.contracts.messages;

/** LOCAL: bound to the node it was created on. EXTERNAL: on storage every node reaches, so it follows its task. */
public enum VolumeType { LOCAL, EXTERNAL }
