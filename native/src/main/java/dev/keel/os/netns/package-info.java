/** Network namespaces that outlive the processes in them: created, entered and removed by path. */
package dev.keel.os.netns;
