package dev.keel.journal.bench;

import com.typesafe.config.Config;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SpawnProtocol;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.japi.function.Function;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** One actor system on one journal backend; entities are spawned into it from outside. */
final class BenchSystem implements AutoCloseable {

    private final ActorSystem<SpawnProtocol.Command> system;
    private final Duration askTimeout;

    BenchSystem(String name, Config config, Duration askTimeout) {
        this.system = ActorSystem.create(SpawnProtocol.create(), name, config);
        this.askTimeout = askTimeout;
    }

    ActorSystem<SpawnProtocol.Command> system() {
        return system;
    }

    <T> CompletionStage<ActorRef<T>> spawn(Behavior<T> behavior, String name) {
        return AskPattern.ask(system,
            (ActorRef<ActorRef<T>> replyTo) -> new SpawnProtocol.Spawn<>(behavior, name, Props.empty(), replyTo),
            askTimeout, system.scheduler());
    }

    <T, R> CompletionStage<R> ask(ActorRef<T> target, Function<ActorRef<R>, T> command) {
        return AskPattern.ask(target, command::apply, askTimeout, system.scheduler());
    }

    @Override
    public void close() {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().orTimeout(askTimeout.toNanos(), TimeUnit.NANOSECONDS).join();
    }
}
