package dev.keel.journal.serialization;

/**
 * Marks what the domain persists or sends between nodes: events, snapshots, commands and replies.
 * Bound to {@link KryoSerializer} in {@code keel-serialization.conf}, so Java serialization is never used.
 */
public interface KryoSerializable {
}
