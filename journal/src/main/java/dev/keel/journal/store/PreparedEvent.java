package dev.keel.journal.store;

/** An event ready for the writer: its encoded {@link EventRecord} and its tags in UTF-8. */
public record PreparedEvent(long sequenceNr, byte[] record, byte[][] tagsUtf8) {

    public static PreparedEvent of(EventRecord event) {
        byte[][] tags = event.tagsUtf8();
        return new PreparedEvent(event.sequenceNr(), event.encode(tags), tags);
    }
}
