package dev.keel.journal.store;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Wakes live readers after the writer publishes a new committed watermark. A reader arms its subscription before
 * it waits and re-checks the watermark after arming, so a commit between its read and its wait is never missed;
 * an unarmed subscription costs the writer one volatile read per commit.
 */
public final class CommitNotifier {

    /** A reader's registration; {@link #arm()} before waiting, then re-check the watermark. */
    public static final class Subscription {
        private final AtomicBoolean armed = new AtomicBoolean();
        private final Runnable wakeup;
        private final CommitNotifier owner;

        private Subscription(CommitNotifier owner, Runnable wakeup) {
            this.owner = owner;
            this.wakeup = wakeup;
        }

        public void arm() {
            armed.set(true);
        }

        public void disarm() {
            armed.set(false);
        }

        public void cancel() {
            owner.subscriptions.remove(this);
        }

        void fire() {
            if (armed.get() && armed.compareAndSet(true, false)) {
                wakeup.run();
            }
        }
    }

    private final CopyOnWriteArrayList<Subscription> subscriptions = new CopyOnWriteArrayList<>();

    public Subscription subscribe(Runnable wakeup) {
        Subscription subscription = new Subscription(this, wakeup);
        subscriptions.add(subscription);
        return subscription;
    }

    /** Called by the writer after a commit is published. */
    public void committed() {
        for (Subscription subscription : subscriptions) {
            subscription.fire();
        }
    }
}
