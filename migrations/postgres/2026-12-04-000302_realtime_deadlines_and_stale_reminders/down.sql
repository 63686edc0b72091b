-- Nothing to undo: the cleared deadlines were wrong and the withdrawn reminders unwanted, and
-- neither can be told apart from rows that were like that before.
SELECT 1;
