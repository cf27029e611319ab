package dev.keel.httpapi.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The containers, networks, volumes and images one test made, which it removes after itself whether it passed or
 * not. Containers go first, with their anonymous volumes, as they hold the others.
 */
final class TestObjects {

    private final List<String> containers = new ArrayList<>();
    private final List<String> networks = new ArrayList<>();
    private final List<String> volumes = new ArrayList<>();
    private final List<String> images = new ArrayList<>();

    /** A name of the test's own for {@code cli}, so that the two CLIs never meet each other's objects. */
    static String name(DockerCli cli, String base) {
        return base + "-" + cli.name().replace(".", "");
    }

    /** Remembers a container by name or id and answers it. */
    String container(String name) {
        return remember(containers, name);
    }

    String network(String name) {
        return remember(networks, name);
    }

    String volume(String name) {
        return remember(volumes, name);
    }

    String image(String reference) {
        return remember(images, reference);
    }

    private static String remember(List<String> kind, String name) {
        kind.add(name);
        return name;
    }

    List<String> containers() {
        return List.copyOf(containers);
    }

    /** Removes all of it through {@code cli}, whatever is gone already, and forgets it. */
    void removeWith(DockerCli cli) throws Exception {
        for (String container : containers) {
            cli.run("rm", "-f", "-v", container);
        }
        for (String network : networks) {
            cli.run("network", "rm", network);
        }
        for (String volume : volumes) {
            cli.run("volume", "rm", "-f", volume);
        }
        for (String image : images) {
            cli.run("rmi", "-f", image);
        }
        containers.clear();
        networks.clear();
        volumes.clear();
        images.clear();
    }
}
