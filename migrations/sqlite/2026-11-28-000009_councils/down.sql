DROP TABLE council_signatures;
DROP TABLE council_conclusions;
DROP TABLE council_members;
DROP TABLE councils;
DROP TABLE consultant_queues;
DROP TABLE consultant_lists;
