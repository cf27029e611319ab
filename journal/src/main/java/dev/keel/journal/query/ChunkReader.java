package dev.keel.journal.query;

import java.util.ArrayDeque;

/** Reads the next chunk of a query after its own cursor, never past the given watermark. Stage-confined. */
interface ChunkReader<T> {

    /** Outcome of one read. */
    enum Progress {
        /** The chunk was full: read again before waiting. */
        MORE,
        /** Everything up to the watermark has been read. */
        CAUGHT_UP,
        /** The query's range is complete (e.g. toSequenceNr reached). */
        DONE
    }

    Progress read(long watermark, int limit, ArrayDeque<T> out);
}
