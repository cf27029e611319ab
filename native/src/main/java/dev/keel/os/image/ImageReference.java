package dev.keel.os.image;

import java.util.regex.Pattern;

/**
 * A Docker image reference, {@code [domain/]path[:tag][@digest]}, normalised as Docker does: no domain means
 * {@code docker.io}, a one-component path on docker.io gets {@code library/}, no tag and no digest means
 * {@code latest}.
 *
 * @param domain registry host[:port], e.g. {@code docker.io}
 * @param path repository path, e.g. {@code library/busybox}
 * @param tag tag, or null when only a digest was given
 * @param digest content digest, or null
 */
public record ImageReference(String domain, String path, String tag, Digest digest) {
    public static final String DEFAULT_DOMAIN = "docker.io";
    public static final String DEFAULT_TAG = "latest";
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-f0-9]{64}");
    private static final String REFERENCE_FORMAT = "invalid reference format";
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern DOMAIN = Pattern.compile(
        "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*"
            + "(?::[0-9]+)?|\\[[a-fA-F0-9:]+\\](?::[0-9]+)?");

    public static ImageReference parse(String text) {
        if (IDENTIFIER.matcher(text).matches()) {
            throw invalid("invalid repository name (" + text + "), cannot specify 64-byte hexadecimal strings");
        }
        String rest = text;
        Digest digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            try {
                digest = Digest.parse(rest.substring(at + 1));
            } catch (IllegalArgumentException e) {
                throw invalid(REFERENCE_FORMAT);
            }
            rest = rest.substring(0, at);
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw invalid(REFERENCE_FORMAT);
            }
        }
        String domain = DEFAULT_DOMAIN;
        String path = rest;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost") || !first.equals(first.toLowerCase())) {
                if (!DOMAIN.matcher(first).matches()) {
                    throw invalid(REFERENCE_FORMAT);
                }
                domain = first;
                path = rest.substring(slash + 1);
            }
        }
        if (path.isEmpty()) {
            throw invalid(REFERENCE_FORMAT);
        }
        for (String component : path.split("/", -1)) {
            if (!COMPONENT.matcher(component).matches()) {
                throw invalid(path.equals(path.toLowerCase()) ? REFERENCE_FORMAT
                    : REFERENCE_FORMAT + ": repository name must be lowercase");
            }
        }
        if (domain.equals("index.docker.io")) {
            domain = DEFAULT_DOMAIN;
        }
        if (domain.equals(DEFAULT_DOMAIN) && !path.contains("/")) {
            path = "library/" + path;
        }
        if (tag == null && digest == null) {
            tag = DEFAULT_TAG;
        }
        if (domain.length() + 1 + path.length() > 255) {
            throw invalid("repository name must not be more than 255 characters");
        }
        return new ImageReference(domain, path, tag, digest);
    }

    /** Docker's messages (distribution/reference), which clients show as they are. */
    private static IllegalArgumentException invalid(String message) {
        return new IllegalArgumentException(message);
    }

    /** {@code docker.io/library/busybox}. */
    public String repository() {
        return domain + "/" + path;
    }

    /** The short form Docker shows, {@code busybox} or {@code example.com/team/app}. */
    public String familiarRepository() {
        if (!domain.equals(DEFAULT_DOMAIN)) {
            return repository();
        }
        return path.startsWith("library/") ? path.substring("library/".length()) : path;
    }

    /** The short form with tag and digest, {@code busybox:latest}, as in RepoTags. */
    public String familiar() {
        return familiarRepository() + suffix();
    }

    private String suffix() {
        return (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }

    @Override
    public String toString() {
        return repository() + suffix();
    }
}
