package dev.keel.os.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class UserDatabaseTest {

    private final UserDatabase users = UserDatabase.parse(
        "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nbroken line\n",
        "root:x:0:\napp:x:1000:\nextra:x:2000:app,other\nwheel:x:10:root\n");

    @Test
    void shouldRunAsRootWhenNoUserIsGiven() {
        assertThat(users.resolve("", List.of())).isEqualTo(new ProcessUser(0, 0, List.of(10), "/root"));
    }

    @Test
    void shouldResolveANameWithItsPrimaryAndMemberGroups() {
        assertThat(users.resolve("app", List.of())).isEqualTo(new ProcessUser(1000, 1000, List.of(2000), "/home/app"));
    }

    @Test
    void shouldAcceptAUidThatIsNotInPasswd() {
        assertThat(users.resolve("4242", List.of())).isEqualTo(new ProcessUser(4242, 0, List.of(), "/"));
    }

    @Test
    void shouldUseTheNamedGroupAndNoMemberGroupsWhenAGroupIsGiven() {
        assertThat(users.resolve("app:extra", List.of())).isEqualTo(new ProcessUser(1000, 2000, List.of(), "/home/app"));
        assertThat(users.resolve("1000:55", List.of())).isEqualTo(new ProcessUser(1000, 55, List.of(), "/home/app"));
    }

    @Test
    void shouldAddExtraGroupsByNameOrId() {
        assertThat(users.resolve("app", List.of("wheel", "77")).additionalGids()).containsExactly(2000, 10, 77);
    }

    @Test
    void shouldRejectAnUnknownUserName() {
        assertThatThrownBy(() -> users.resolve("ghost", List.of()))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("unable to find user ghost: no matching entries in passwd file");
    }

    @Test
    void shouldRejectAnUnknownGroupName() {
        assertThatThrownBy(() -> users.resolve("app:ghosts", List.of()))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("unable to find group ghosts: no matching entries in group file");
    }
}
