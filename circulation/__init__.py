"""传阅 and 阅知 (issue 15.4): the office, a coordination body's office or a district leader sends a 发文, its policy
interpretation, a body's adjustment or an approved briefing to named leaders (posts) and units for reading; each
recipient's state (未读 / 已读 / 已阅并批注) and time is shown to the sender; unread after N working days is reminded
once and then listed for the office (逾期未阅); an unread one waits in the recipient's 我的待办."""
