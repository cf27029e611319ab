package dev.keel.journal.query;

import dev.keel.journal.store.CommitNotifier;
import java.util.ArrayDeque;
import java.util.function.LongSupplier;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;

/**
 * A source over the journal: reads a chunk when downstream demands and the buffer is empty. A current query stops
 * at the watermark seen when it started; a live one arms its notifier subscription and waits for the next commit.
 */
final class JournalTailSource<T> extends GraphStage<SourceShape<T>> {

    private final Outlet<T> out = Outlet.create("JournalTailSource.out");
    private final SourceShape<T> shape = SourceShape.of(out);
    private final java.util.function.Supplier<ChunkReader<T>> readerFactory;
    private final LongSupplier watermark;
    private final CommitNotifier notifier;
    private final boolean live;
    private final int chunkSize;

    JournalTailSource(java.util.function.Supplier<ChunkReader<T>> readerFactory, LongSupplier watermark,
                      CommitNotifier notifier, boolean live, int chunkSize) {
        this.readerFactory = readerFactory;
        this.watermark = watermark;
        this.notifier = notifier;
        this.live = live;
        this.chunkSize = chunkSize;
    }

    @Override
    public SourceShape<T> shape() {
        return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes inheritedAttributes) {
        return new GraphStageLogic(shape) {
            private final ArrayDeque<T> buffer = new ArrayDeque<>();
            private ChunkReader<T> reader;
            private ChunkReader.Progress progress = ChunkReader.Progress.MORE;
            private long readWatermark = -1;
            private long endWatermark;
            private CommitNotifier.Subscription subscription;

            {
                setHandler(out, new AbstractOutHandler() {
                    @Override
                    public void onPull() {
                        deliver();
                    }
                });
            }

            @Override
            public void preStart() {
                reader = readerFactory.get();
                endWatermark = watermark.getAsLong();
                if (live) {
                    AsyncCallback<Long> wakeup = createAsyncCallback(ignored -> {
                        if (isAvailable(out)) {
                            deliver();
                        }
                    });
                    subscription = notifier.subscribe(() -> wakeup.invoke(0L));
                }
            }

            private void deliver() {
                try {
                    while (buffer.isEmpty()) {
                        if (progress == ChunkReader.Progress.DONE) {
                            completeStage();
                            return;
                        }
                        long wm = live ? watermark.getAsLong() : endWatermark;
                        if (progress == ChunkReader.Progress.CAUGHT_UP && wm == readWatermark) {
                            if (!live) {
                                completeStage();
                                return;
                            }
                            subscription.arm();
                            if (watermark.getAsLong() == readWatermark) {
                                return;
                            }
                            subscription.disarm();
                            continue;
                        }
                        readWatermark = wm;
                        progress = reader.read(wm, chunkSize, buffer);
                    }
                    push(out, buffer.poll());
                } catch (RuntimeException e) {
                    failStage(e);
                }
            }

            @Override
            public void postStop() {
                if (subscription != null) {
                    subscription.cancel();
                }
            }
        };
    }
}
