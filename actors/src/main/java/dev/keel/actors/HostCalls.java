package dev.keel.actors;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.slf4j.Logger;

/**
 * Blocking work on the host (kernel calls, drivers, plugins) run off actor threads, on the executor given, with its
 * failures turned into the {@link EngineFailure}s clients see.
 *
 * @param translate turns a failure of the work that is not already an {@link EngineFailure} into one
 */
public record HostCalls(Executor executor, Function<Exception, EngineFailure> translate) {

    public <T> CompletableFuture<T> run(Callable<T> work) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return work.call();
            } catch (EngineFailure e) {
                throw e;
            } catch (Exception e) {
                throw new CompletionException(translate.apply(e));
            }
        }, executor);
    }

    /** A clean-up step that must not stop the next ones: its failure is logged, and reconciliation removes the rest. */
    public static void quietly(Logger log, String what, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            log.warn("{} clean-up step failed: {}", what, e.getMessage());
        }
    }
}
