package dev.keel.actors.container;

import java.util.List;
import java.util.random.RandomGenerator;

/** Docker-style generated container names: {@code adjective_surname}, as {@code docker run} without {@code --name}. */
final class ContainerNames {

    private static final List<String> ADJECTIVES = List.of(
            "admiring", "agitated", "amazing", "angry", "awesome", "blissful", "bold", "brave", "charming", "clever",
            "cool", "compassionate", "competent", "confident", "crazy", "dazzling", "determined", "dreamy", "eager",
            "ecstatic", "elastic", "elated", "elegant", "epic", "focused", "friendly", "gallant", "gifted", "goofy",
            "gracious", "happy", "hopeful", "hungry", "inspiring", "intelligent", "jolly", "keen", "kind", "laughing",
            "loving", "lucid", "magical", "modest", "musing", "nice", "nifty", "nostalgic", "optimistic", "peaceful",
            "pensive", "practical", "priceless", "quirky", "quizzical", "relaxed", "reverent", "romantic", "serene",
            "sharp", "silly", "sleepy", "stoic", "strange", "sweet", "tender", "thirsty", "trusting", "upbeat",
            "vibrant", "vigilant", "wizardly", "wonderful", "xenodochial", "youthful", "zealous", "zen");

    private static final List<String> SURNAMES = List.of(
            "agnesi", "albattani", "allen", "archimedes", "babbage", "banach", "bardeen", "bartik", "bell", "bhabha",
            "blackwell", "bohr", "booth", "borg", "bose", "brahmagupta", "brattain", "brown", "carson", "cerf",
            "chandrasekhar", "chaum", "clarke", "colden", "cori", "curie", "darwin", "davinci", "dijkstra", "dirac",
            "easley", "einstein", "elion", "engelbart", "euclid", "euler", "faraday", "fermat", "fermi", "feynman",
            "franklin", "galileo", "gauss", "goldberg", "goodall", "hamilton", "hawking", "heisenberg", "hermann",
            "hodgkin", "hopper", "hypatia", "jang", "jennings", "kalam", "kepler", "knuth", "lamarr", "lamport",
            "leakey", "lovelace", "lumiere", "mayer", "mccarthy", "mclean", "meitner", "mendel", "mirzakhani",
            "morse", "napier", "newton", "noether", "pascal", "pasteur", "perlman", "pike", "poincare", "ritchie",
            "shannon", "shockley", "sinoussi", "stallman", "swartz", "tesla", "thompson", "torvalds", "turing",
            "volhard", "wescoff", "wiles", "williams", "wozniak", "wright", "yalow", "yonath");

    private final RandomGenerator random;

    ContainerNames(RandomGenerator random) {
        this.random = random;
    }

    String next() {
        return ADJECTIVES.get(random.nextInt(ADJECTIVES.size())) + "_" + SURNAMES.get(random.nextInt(SURNAMES.size()));
    }
}
