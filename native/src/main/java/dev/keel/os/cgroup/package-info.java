/**
 * The host's cgroup tree as the runtime sees it: which layout it uses (v1, hybrid or unified) and where a
 * container's cgroup lives for each controller. Containers' cgroups are made and removed by the OCI runtime;
 * this package only finds and reads them.
 */
package dev.keel.os.cgroup;
