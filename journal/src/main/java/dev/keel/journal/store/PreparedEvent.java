package dev.keel.journal.store;

/** An event ready for the writer: its encoded {@link EventRecord} and its tags in UTF-8. */
public record PreparedEvent(long sequenceNr, byte[] record, byte[][] tagsUtf8) {

    private static final byte[][] NO_TAGS = new byte[0][];

    public static PreparedEvent of(EventRecord event) {
        byte[][] tags = event.tags().isEmpty() ? NO_TAGS : new byte[event.tags().size()][];
        for (int i = 0; i < tags.length; i++) {
            tags[i] = StoreKeys.utf8(event.tags().get(i));
        }
        return new PreparedEvent(event.sequenceNr(), event.encode(), tags);
    }
}
