/**
 * CloudEvents in Kafka binary mode. Threat-model rule owned here: <b>an event's attributes are read
 * strictly</b> (one value per attribute), so consumers cannot read one record two ways.
 */
package dev.tollgate.schemas.cloudevents;
