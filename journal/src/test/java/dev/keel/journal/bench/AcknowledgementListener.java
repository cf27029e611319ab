package dev.keel.journal.bench;

/** Told, on the entity's thread, each time a persist of the load is acknowledged. */
interface AcknowledgementListener {

    AcknowledgementListener NONE = (entity, number) -> { };

    void onAcknowledged(int entity, long number);
}
