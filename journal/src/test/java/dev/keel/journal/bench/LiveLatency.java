package dev.keel.journal.bench;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Latency from a persist's acknowledgement (in the entity's callback) to the event's delivery on a live
 * all-events subscription. Whichever of the two sightings of an event comes second records the gap;
 * an event delivered before its acknowledgement counts as zero.
 */
final class LiveLatency implements AcknowledgementListener {

    private final LongSupplier nanoClock;
    private final long originNs;
    // positive: acknowledged at (ns since origin); negative: delivered at; +1 keeps zero unambiguous
    private final ConcurrentHashMap<Long, Long> firstSighting = new ConcurrentHashMap<>();
    private final ConcurrentHistogram latencyNs = new ConcurrentHistogram(3);
    private volatile boolean recording;

    LiveLatency(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.originNs = nanoClock.getAsLong();
    }

    @Override
    public void onAcknowledged(int entity, long number) {
        sighted(entity, number, true);
    }

    void onDelivered(int entity, long number) {
        sighted(entity, number, false);
    }

    void startRecording() {
        latencyNs.reset();
        recording = true;
    }

    Histogram stopRecording() {
        recording = false;
        return latencyNs.copy();
    }

    private void sighted(int entity, long number, boolean acknowledgement) {
        long atNs = nanoClock.getAsLong() - originNs + 1;
        long mine = acknowledgement ? atNs : -atNs;
        firstSighting.compute(((long) entity << 32) | number, (key, other) -> {
            if (other == null) {
                return mine;
            }
            if (recording) {
                latencyNs.recordValue(acknowledgement ? 0 : Math.max(0, atNs - other));
            }
            return null;
        });
    }
}
