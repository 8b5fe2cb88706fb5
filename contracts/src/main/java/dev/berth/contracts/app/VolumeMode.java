package dev.berth.contracts.app;

/** Marathon's volume modes: read-write or read-only inside the task. */
public enum VolumeMode { RW, RO }
