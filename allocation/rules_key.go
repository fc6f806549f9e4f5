package allocation

// ProgrammeRulesKey is the settings key of the programme rules, for the
// packages that read one of them without the allocation service (the
// Bilan reads whether the FSE+ questions are on).
const ProgrammeRulesKey = programmeRulesKey
