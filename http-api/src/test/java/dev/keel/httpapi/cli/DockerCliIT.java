package dev.keel.httpapi.cli;

import static dev.keel.httpapi.cli.Conditions.eventually;
import static dev.keel.httpapi.cli.DockerCli.timestamp;
import static dev.keel.httpapi.cli.TestObjects.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real docker CLIs (Debian's 20.10 and a current 28.x, each when installed) against a real keeld, through the
 * everyday flows, expecting what dockerd answers. One keeld serves the class; every test removes what it made.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DockerCliIT {

    /** The suite's own cgroup parent, apart from other keelds on the host. */
    private static final String CGROUP_PARENT = "/keel-cli";

    @AutoClose
    private CliHost host;
    private final TestObjects made = new TestObjects();

    @BeforeAll
    void startKeeld() throws Exception {
        host = CliHost.start("c", CGROUP_PARENT);
    }

    @AfterEach
    void removeWhatTheTestMade() throws Exception {
        made.removeWith(host.firstCli());
    }

    Stream<DockerCli> clis() {
        return host.clis();
    }

    private String importImage(DockerCli cli, String reference) throws Exception {
        made.image(reference);
        return cli.ok("import", "--change", "CMD [\"sh\"]", host.busyboxTar().toString(), reference);
    }

    private String runDetached(DockerCli cli, String name, String... imageAndCommand) throws Exception {
        made.container(name);
        List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name));
        args.addAll(List.of(imageAndCommand));
        return cli.ok(args.toArray(String[]::new));
    }

    private static String status(DockerCli cli, String container) throws Exception {
        return cli.ok("inspect", "--format", "{{.State.Status}}", container);
    }

    // --- flows ----------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldNegotiateTheApiVersionAndReportTheServer(DockerCli cli) throws Exception {
        assertThat(cli.ok("version", "--format", "{{.Server.APIVersion}}")).isEqualTo("1.41");
        assertThat(cli.ok("info", "--format", "{{.OSType}}")).isEqualTo("linux");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldImportTagInspectListAndRemoveAnImage(DockerCli cli) throws Exception {
        String repository = name(cli, "keel-test/bb");

        String id = importImage(cli, repository + ":1");
        cli.ok("tag", repository + ":1", repository + ":2");
        made.image(repository + ":2");

        assertThat(id).matches("sha256:[0-9a-f]{64}");
        assertThat(cli.ok("images", "--format", "{{.Repository}}:{{.Tag}}").lines())
                .contains(repository + ":1", repository + ":2");
        assertThat(cli.ok("inspect", "--format", "{{json .Config.Cmd}}", repository + ":2")).isEqualTo("[\"sh\"]");
        assertThat(cli.ok("history", "--no-trunc", "--format", "{{.ID}}", repository + ":1").lines()).contains(id);
        assertThat(cli.ok("rmi", repository + ":2")).isEqualTo("Untagged: " + repository + ":2");
        // A layer no other image holds is reported deleted too, after the image.
        assertThat(cli.ok("rmi", repository + ":1").lines()).startsWith("Untagged: " + repository + ":1", "Deleted: " + id);
        assertThat(cli.ok("images", "--format", "{{.Repository}}:{{.Tag}}").lines()).doesNotContain(repository + ":1");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldRunADetachedContainerWithItsNameEnvironmentWorkdirLabelAndHostname(DockerCli cli) throws Exception {
        String image = name(cli, "keel-test/run") + ":1";
        importImage(cli, image);
        String web = name(cli, "web");

        String id = runDetached(cli, web, "-e", "GREETING=hello", "-w", "/tmp", "--label", "tier=front",
                "--hostname", "h1", image, "sh", "-c", "echo $GREETING $(pwd) $(hostname); exec sleep 1000");

        assertThat(id).matches("[0-9a-f]{64}");
        eventually("the container's first line in its log",
                () -> cli.run("logs", web).out().contains("hello /tmp h1"));
        assertThat(status(cli, web)).isEqualTo("running");
        // Docker's json-file log, where inspect says it is.
        Path logPath = Path.of(cli.ok("inspect", "--format", "{{.LogPath}}", web));
        assertThat(logPath.getFileName().toString()).isEqualTo(id + "-json.log");
        assertThat(Files.readAllLines(logPath)).first().asString()
                .startsWith("{\"log\":\"hello /tmp h1\\n\",\"stream\":\"stdout\",\"time\":\"");
        assertThat(cli.ok("ps", "--filter", "label=tier=front", "--format", "{{.Names}}").lines()).contains(web);
        assertThat(cli.ok("ps", "--filter", "name=" + web, "--filter", "status=running", "--format", "{{.ID}}"))
                .isEqualTo(id.substring(0, 12));
        assertThat(cli.ok("ps", "--filter", "label=tier=back", "--format", "{{.Names}}").lines()).doesNotContain(web);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldStopStartAndKill(DockerCli cli) throws Exception {
        String image = name(cli, "keel-test/life") + ":1";
        importImage(cli, image);
        String web = name(cli, "life");
        runDetached(cli, web, image, "sleep", "1000");

        assertThat(cli.ok("stop", "-t", "1", web)).isEqualTo(web);
        assertThat(status(cli, web)).isEqualTo("exited");
        assertThat(cli.ok("start", web)).isEqualTo(web);
        assertThat(status(cli, web)).isEqualTo("running");
        assertThat(cli.ok("kill", web)).isEqualTo(web);
        assertThat(cli.ok("wait", web)).isEqualTo("137");
        assertThat(status(cli, web)).isEqualTo("exited");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldPauseAndUnpause(DockerCli cli) throws Exception {
        String image = name(cli, "keel-test/pause") + ":1";
        importImage(cli, image);
        String web = name(cli, "pause");
        runDetached(cli, web, image, "sleep", "1000");

        assertThat(cli.ok("pause", web)).isEqualTo(web);
        assertThat(status(cli, web)).isEqualTo("paused");
        assertThat(cli.ok("unpause", web)).isEqualTo(web);
        assertThat(status(cli, web)).isEqualTo("running");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldWaitForTheExitCodeAndRename(DockerCli cli) throws Exception {
        String image = name(cli, "keel-test/wait") + ":1";
        importImage(cli, image);
        String before = name(cli, "before");
        String after = name(cli, "after");
        runDetached(cli, before, image, "sh", "-c", "exit 3");
        made.container(after);

        assertThat(cli.ok("wait", before)).isEqualTo("3");
        cli.ok("rename", before, after);
        assertThat(cli.ok("inspect", "--format", "{{.Name}}", after)).isEqualTo("/" + after);
        assertThat(cli.ok("ps", "-a", "--filter", "status=exited", "--format", "{{.Names}}").lines()).contains(after);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldRemoveARunningContainerOnlyWithForce(DockerCli cli) throws Exception {
        String image = name(cli, "keel-test/rm") + ":1";
        importImage(cli, image);
        String web = name(cli, "rm");
        String id = runDetached(cli, web, image, "sleep", "1000");

        DockerCli.Result refused = cli.run("rm", web);

        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err().strip()).isEqualTo("Error response from daemon: You cannot remove a running container "
                + id + ". Stop the container before attempting removal or force remove");
        assertThat(cli.ok("rm", "-f", web)).isEqualTo(web);
        assertThat(cli.ok("ps", "-a", "--format", "{{.Names}}").lines()).doesNotContain(web);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldSaveAndLoadAnImage(DockerCli cli) throws Exception {
        String image = name(cli, "keel-test/save") + ":1";
        String id = importImage(cli, image);
        Path archive = host.dir().resolve(name(cli, "save") + ".tar");

        cli.ok("save", "-o", archive.toString(), image);
        cli.ok("rmi", image);

        assertThat(cli.ok("load", "-i", archive.toString())).isEqualTo("Loaded image: " + image);
        assertThat(cli.ok("inspect", "--format", "{{.Id}}", image)).isEqualTo(id);
    }

    Stream<Arguments> unknownObjects() {
        return clis().flatMap(cli -> {
            boolean old = cli.name().equals("docker-20.10");
            return Stream.of(
                    Arguments.of(cli, List.of("rmi", "nosuch:1"), old ? "Error: No such image: nosuch:1"
                            : "Error response from daemon: No such image: nosuch:1"),
                    Arguments.of(cli, List.of("tag", "nosuch:1", "other:1"),
                            "Error response from daemon: No such image: nosuch:1"),
                    Arguments.of(cli, List.of("inspect", "nosuch"), "Error: No such object: nosuch"),
                    Arguments.of(cli, List.of("container", "inspect", "nosuchc"), old ? "Error: No such container: nosuchc"
                            : "Error response from daemon: No such container: nosuchc"),
                    Arguments.of(cli, List.of("start", "nosuchc"), "Error response from daemon: No such container: nosuchc\n"
                            + "Error: failed to start containers: nosuchc"),
                    Arguments.of(cli, List.of("stop", "nosuchc"), "Error response from daemon: No such container: nosuchc"),
                    Arguments.of(cli, List.of("rm", "nosuchc"), old ? "Error: No such container: nosuchc"
                            : "Error response from daemon: No such container: nosuchc"),
                    Arguments.of(cli, List.of("logs", "nosuchc"), old ? "Error: No such container: nosuchc"
                            : "Error response from daemon: No such container: nosuchc"));
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("unknownObjects")
    void shouldAnswerUnknownImagesAndContainersAsDockerd(DockerCli cli, List<String> command, String stderr)
            throws Exception {
        DockerCli.Result result = cli.run(command.toArray(String[]::new));

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.err().strip()).isEqualTo(stderr);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldReplayTheEventsOfAContainersLifeWithFilters(DockerCli cli) throws Exception {
        String image = name(cli, "keel-test/events") + ":1";
        Instant since = Instant.now();
        String imageId = importImage(cli, image);
        String web = name(cli, "events");
        String id = runDetached(cli, web, "--label", "tier=front", image, "sleep", "1000");
        cli.ok("stop", "-t", "1", web);
        cli.ok("rm", web);
        String until = timestamp(Instant.now());

        List<String> lifecycle = cli.ok("events", "--since", timestamp(since), "--until", until,
                "--filter", "container=" + web, "--format", "{{.Type}} {{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}}")
                .lines().toList();
        List<String> starts = cli.ok("events", "--since", timestamp(since), "--until", until,
                "--filter", "event=start", "--filter", "label=tier=front", "--format", "{{.ID}} {{.From}}").lines().toList();
        List<String> imageEvents = cli.ok("events", "--since", timestamp(since), "--until", until,
                "--filter", "type=image", "--filter", "image=" + image, "--format", "{{.Action}} {{.Actor.ID}}").lines().toList();

        assertThat(lifecycle).containsExactly(
                "container create " + id + " " + web,
                "container start " + id + " " + web,
                "container kill " + id + " " + web,
                "container die " + id + " " + web,
                "container stop " + id + " " + web,
                "container destroy " + id + " " + web);
        assertThat(starts).containsExactly(id + " " + image);
        assertThat(imageEvents).contains("tag " + imageId);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldReportExecSessionsAsDockerdDoes(DockerCli cli) throws Exception {
        String image = name(cli, "keel-test/exec-events") + ":1";
        importImage(cli, image);
        String web = name(cli, "exec-events");
        String id = runDetached(cli, web, image, "sleep", "1000");
        Instant since = Instant.now();
        DockerCli.Result failed = cli.run("exec", web, "sh", "-c", "exit 3");
        cli.ok("exec", web, "true");
        String until = timestamp(Instant.now());

        List<String> events = cli.ok("events", "--since", timestamp(since), "--until", until,
                "--filter", "container=" + id, "--format",
                "{{.Action}} {{index .Actor.Attributes \"exitCode\"}} {{index .Actor.Attributes \"name\"}}")
                .lines().map(String::strip).toList();
        List<String> dies = cli.ok("events", "--since", timestamp(since), "--until", until,
                "--filter", "container=" + id, "--filter", "event=exec_die", "--format", "{{.Action}}").lines().toList();

        assertThat(failed.exitCode()).isEqualTo(3);
        assertThat(events).containsExactly(
                "exec_create: sh -c exit 3  " + web, "exec_start: sh -c exit 3  " + web, "exec_die 3 " + web,
                "exec_create: true  " + web, "exec_start: true  " + web, "exec_die 0 " + web);
        assertThat(dies).containsExactly("exec_die", "exec_die");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldReportKillAndRestartAsDockerdDoes(DockerCli cli) throws Exception {
        String image = name(cli, "keel-test/kill") + ":1";
        importImage(cli, image);
        String web = name(cli, "killed");
        Instant since = Instant.now();
        String id = runDetached(cli, web, image, "sleep", "1000");
        cli.ok("kill", "-s", "HUP", web);
        cli.ok("restart", "-t", "1", web);
        cli.ok("kill", web);
        cli.ok("wait", web);
        String until = timestamp(Instant.now());

        List<String> events = cli.ok("events", "--since", timestamp(since), "--until", until,
                "--filter", "container=" + id, "--format", "{{.Action}} {{index .Actor.Attributes \"signal\"}}")
                .lines().map(String::strip).toList();

        // sleep as pid 1 ignores HUP and TERM: the HUP ends nothing, the restart's stop ends it with KILL after 1 s.
        assertThat(events).containsExactly(
                "create", "start",
                "kill 1",
                "kill 15", "die", "stop", "start", "restart",
                "kill 9", "die");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldStillShowEarlierEventsAfterKeeldRestarts(DockerCli cli) throws Exception {
        String image = name(cli, "keel-test/restart") + ":1";
        Instant since = Instant.now();
        importImage(cli, image);
        String web = name(cli, "survivor");
        String id = runDetached(cli, web, image, "sleep", "1000");

        assertThat(host.keeld().stop()).as(host.keeld().log()).isTrue();
        host.keeld().start();

        assertThat(cli.ok("events", "--since", timestamp(since), "--until", timestamp(Instant.now()),
                "--filter", "container=" + id, "--format", "{{.Action}}").lines())
                .startsWith("create", "start");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldRunInTheForegroundWithItsOutputErrorsAndExitCode(DockerCli cli) throws Exception {
        String image = name(cli, "keel-test/fg") + ":1";
        importImage(cli, image);
        String echo = name(cli, "fg-echo");
        String failing = name(cli, "fg-exit");
        String complaining = name(cli, "fg-stderr");
        List.of(echo, failing, complaining).forEach(made::container);

        DockerCli.Result hi = cli.run("run", "--rm", "--name", echo, image, "echo", "hi");
        DockerCli.Result exit = cli.run("run", "--rm", "--name", failing, image, "sh", "-c", "exit 3");
        DockerCli.Result stderr = cli.run("run", "--rm", "--name", complaining, image, "sh", "-c", "echo oops >&2");

        assertThat(hi.exitCode()).as(hi.toString()).isZero();
        assertThat(hi.out()).isEqualTo("hi\n");
        assertThat(exit.exitCode()).as(exit.toString()).isEqualTo(3);
        assertThat(stderr.exitCode()).as(stderr.toString()).isZero();
        assertThat(stderr.out()).isEmpty();
        assertThat(stderr.err()).isEqualTo("oops\n");
        assertThat(cli.ok("ps", "-a", "--format", "{{.Names}}").lines()).doesNotContain(echo, failing, complaining);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldPassStandardInputToAnInteractiveRun(DockerCli cli) throws Exception {
        String image = name(cli, "keel-test/stdin") + ":1";
        importImage(cli, image);
        String cat = name(cli, "stdin");
        made.container(cat);

        DockerCli.Result result = cli.runWithInput("hello\n", "run", "-i", "--rm", "--name", cat, image, "cat");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).isEqualTo("hello\n");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldRestartOnFailureAsOftenAsThePolicyAllows(DockerCli cli) throws Exception {
        String image = name(cli, "keel-test/restart-policy") + ":1";
        importImage(cli, image);
        String failing = name(cli, "on-failure");

        runDetached(cli, failing, "--restart", "on-failure:2", image, "sh", "-c", "exit 1");

        eventually("two restarts, then exited for good",
                () -> cli.ok("inspect", "--format", "{{.RestartCount}} {{.State.Status}}", failing).equals("2 exited"));
        assertThat(cli.ok("inspect", "--format", "{{.HostConfig.RestartPolicy.Name}} {{.State.ExitCode}}", failing))
                .isEqualTo("on-failure 1");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldExecInARunningContainer(DockerCli cli) throws Exception {
        String image = name(cli, "keel-test/exec") + ":1";
        importImage(cli, image);
        String web = name(cli, "exec");
        runDetached(cli, web, image, "sleep", "1000");

        assertThat(cli.ok("exec", web, "echo", "hi")).isEqualTo("hi");
        assertThat(cli.ok("exec", "-e", "A=b", "-w", "/tmp", "-u", "nobody", web,
                "sh", "-c", "echo $A $(pwd) $(id -u)"))
                .isEqualTo("b /tmp 65534");
        DockerCli.Result input = cli.runWithInput("x\n", "exec", "-i", web, "cat");
        assertThat(input.exitCode()).as(input.toString()).isZero();
        assertThat(input.out()).isEqualTo("x\n");
        DockerCli.Result exit = cli.run("exec", web, "sh", "-c", "exit 5");
        assertThat(exit.exitCode()).as(exit.toString()).isEqualTo(5);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldExecDetached(DockerCli cli) throws Exception {
        String image = name(cli, "keel-test/exec-d") + ":1";
        importImage(cli, image);
        String web = name(cli, "exec-d");
        runDetached(cli, web, image, "sleep", "1000");

        assertThat(cli.ok("exec", "-d", web, "sh", "-c", "echo detached > /tmp/d")).isEmpty();

        eventually("the detached exec's file", () -> cli.run("exec", web, "cat", "/tmp/d").out().equals("detached\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldShowTheProcessesAndStatsOfARunningContainer(DockerCli cli) throws Exception {
        String image = name(cli, "keel-test/top") + ":1";
        importImage(cli, image);
        String web = name(cli, "top");
        runDetached(cli, web, image, "sleep", "1000");

        List<String> top = cli.ok("top", web).lines().toList();
        List<String> stats = cli.ok("stats", "--no-stream", "--format", "{{.Name}}", web).lines().toList();

        assertThat(top.get(0)).contains("PID").contains("CMD");
        assertThat(top).anySatisfy(row -> assertThat(row).endsWith("sleep 1000"));
        assertThat(stats).containsExactly(web);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldCopyAFileIntoARunningContainerAndOut(DockerCli cli) throws Exception {
        String image = name(cli, "keel-test/cp") + ":1";
        importImage(cli, image);
        String web = name(cli, "cp");
        runDetached(cli, web, image, "sleep", "1000");
        String content = "copied by " + cli.name() + "\n";
        Path in = Files.writeString(host.dir().resolve(name(cli, "cp-in") + ".txt"), content);
        Path out = host.dir().resolve(name(cli, "cp-out") + ".txt");

        cli.ok("cp", in.toString(), web + ":/tmp/in.txt");
        assertThat(cli.ok("exec", web, "cat", "/tmp/in.txt")).isEqualTo(content.strip());
        cli.ok("cp", web + ":/tmp/in.txt", out.toString());

        assertThat(out).hasContent(content);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldListTheFilesAContainerAddedChangedAndDeleted(DockerCli cli) throws Exception {
        String image = name(cli, "keel-test/diff") + ":1";
        importImage(cli, image);
        String web = name(cli, "diff");
        runDetached(cli, web, image, "sh", "-c",
                "echo new > /tmp/added && echo x >> /etc/passwd && rm /bin/hostname && touch /tmp/done"
                        + " && exec sleep 1000");
        eventually("the container's changes", () -> cli.run("exec", web, "ls", "/tmp/done").ok());

        assertThat(cli.ok("diff", web).lines())
                .contains("C /tmp", "A /tmp/added", "C /etc", "C /etc/passwd", "C /bin", "D /bin/hostname");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldCommitAContainerIntoAnImageThatRuns(DockerCli cli) throws Exception {
        String image = name(cli, "keel-test/commit-base") + ":1";
        importImage(cli, image);
        String committed = name(cli, "keel-test/committed") + ":1";
        String writer = name(cli, "commit");
        String reader = name(cli, "commit-run");
        runDetached(cli, writer, image, "sh", "-c", "echo committed > /file");
        assertThat(cli.ok("wait", writer)).isEqualTo("0");
        made.image(committed);
        made.container(reader);

        assertThat(cli.ok("commit", writer, committed)).matches("sha256:[0-9a-f]{64}");

        assertThat(cli.ok("run", "--rm", "--name", reader, committed, "cat", "/file")).isEqualTo("committed");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldExportAContainersFilesystem(DockerCli cli) throws Exception {
        String image = name(cli, "keel-test/export") + ":1";
        importImage(cli, image);
        String writer = name(cli, "export");
        runDetached(cli, writer, image, "sh", "-c", "echo exported > /exported.txt");
        assertThat(cli.ok("wait", writer)).isEqualTo("0");
        Path archive = host.dir().resolve(name(cli, "export") + ".tar");

        cli.ok("export", "-o", archive.toString(), writer);

        assertThat(tarEntries(archive)).anySatisfy(entry -> assertThat(entry).matches("(\\./)?exported\\.txt"))
                .anySatisfy(entry -> assertThat(entry).matches("(\\./)?bin/busybox"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldRunAnInteractiveShellInATerminal(DockerCli cli) throws Exception {
        String image = name(cli, "keel-test/tty-run") + ":1";
        importImage(cli, image);
        String shell = name(cli, "tty-run");
        made.container(shell);

        TmuxSession terminal = TmuxSession.start(host.dir().resolve(shell + ".tmux"), terminalName(shell),
                cli.commandLine("run", "-it", "--rm", "--name", shell, image, "sh"));
        try {
            typeInTheTerminalAndExit(terminal);
        } finally {
            terminal.kill();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clis")
    void shouldExecAnInteractiveShellInATerminal(DockerCli cli) throws Exception {
        String image = name(cli, "keel-test/tty-exec") + ":1";
        importImage(cli, image);
        String web = name(cli, "tty-exec");
        runDetached(cli, web, image, "sleep", "1000");

        TmuxSession terminal = TmuxSession.start(host.dir().resolve(web + ".tmux"), terminalName(web),
                cli.commandLine("exec", "-it", web, "sh"));
        try {
            typeInTheTerminalAndExit(terminal);
        } finally {
            terminal.kill();
        }
        assertThat(status(cli, web)).isEqualTo("running");
    }

    /** The shell computes what it prints, so the typed line (echoed by the terminal) never matches on its own. */
    private static void typeInTheTerminalAndExit(TmuxSession terminal) throws Exception {
        terminal.typeLine("echo tty-$((6*7))");
        eventually("the shell's answer on the terminal", () -> terminal.screen().contains("tty-42"));
        terminal.typeLine("exit");
        eventually("the CLI to end with the shell", () -> !terminal.isOpen());
    }

    private static String terminalName(String container) {
        return "keel-" + container + "-" + ProcessHandle.current().pid();
    }

    private static List<String> tarEntries(Path archive) throws Exception {
        Process process = new ProcessBuilder("tar", "-tf", archive.toString()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).as(output).isZero();
        return List.of(output.strip().split("\n"));
    }
}
