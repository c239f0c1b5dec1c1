package demo

// The people, places and plan of the demo. Names are in several scripts, as
// they are printed on certificates; latin_name is set where the name is not in
// Latin letters (file names, systems that need them). Every e-mail address is
// under the reserved .example top-level domain, so none can reach anyone.

// Demo passwords: fixed and readable, one per role, so a newcomer can type them
// from the table, and a restart of the same demo can show them again.
const (
	AdminPassword       = "demo-admin-2026"
	TrainerPassword     = "demo-trainer-2026"
	CoordinatorPassword = "demo-coordinator-2026"
	OfficerPassword     = "demo-officer-2026"
)

// CourseID is the shipped course the demo schedules.
const CourseID = "crypto-crime"

type agencySpec struct {
	Name, Country string
}

type personSpec struct {
	Name, Given, Family, Latin, Email string
	Agency                            int // index into agencies; -1 for the trainer
}

var agencies = []agencySpec{
	{Name: "Police judiciaire de Paris — Brigade cyber", Country: "FR"},
	{Name: "Seoul Metropolitan Police — Cyber Investigation Unit", Country: "KR"},
}

var trainer = personSpec{Name: "Claire Dubois", Given: "Claire", Family: "Dubois", Email: "claire.dubois@training.example", Agency: -1}

// coordinators[i] coordinates agencies[i].
var coordinators = []personSpec{
	{Name: "Sébastien Moreau", Given: "Sébastien", Family: "Moreau", Email: "sebastien.moreau@police-paris.example", Agency: 0},
	{Name: "윤서준", Given: "서준", Family: "윤", Latin: "Yoon Seojun", Email: "seojun.yoon@police-seoul.example", Agency: 1},
}

// officerSpec is an officer and what they did today (the session in progress):
// attendance ("" not yet marked) and quiz attempts at the first module's quiz,
// as target percents of submitted attempts, and whether one is still open.
type officerSpec struct {
	personSpec
	Attendance string
	Scores     []int
	Open       bool
	// SecondQuiz, when set, is a submitted attempt at the second module's quiz.
	SecondQuiz int
}

// officers: the first is the newcomer's own to try — not checked in, no attempt.
var officers = []officerSpec{
	{personSpec: personSpec{Name: "François Müller-Łukasiewicz", Given: "François", Family: "Müller-Łukasiewicz", Email: "francois.muller@police-paris.example"}},
	{personSpec: personSpec{Name: "Amélie Lefèvre", Given: "Amélie", Family: "Lefèvre", Email: "amelie.lefevre@police-paris.example"}, Attendance: "present", Scores: []int{100}, SecondQuiz: 86},
	{personSpec: personSpec{Name: "Νίκος Παπαδόπουλος", Given: "Νίκος", Family: "Παπαδόπουλος", Latin: "Nikos Papadopoulos", Email: "nikos.papadopoulos@police-paris.example"}, Attendance: "present", Scores: []int{85}},
	{personSpec: personSpec{Name: "Олена Коваленко", Given: "Олена", Family: "Коваленко", Latin: "Olena Kovalenko", Email: "olena.kovalenko@police-paris.example"}, Attendance: "late", Scores: []int{55, 78}},
	{personSpec: personSpec{Name: "דניאל כהן", Given: "דניאל", Family: "כהן", Latin: "Daniel Cohen", Email: "daniel.cohen@police-paris.example"}, Attendance: "present", Scores: []int{40}},
	{personSpec: personSpec{Name: "Jérôme Nguyễn Văn An", Given: "Jérôme", Family: "Nguyễn Văn An", Email: "jerome.nguyen@police-paris.example"}},
	{personSpec: personSpec{Name: "김민준", Given: "민준", Family: "김", Latin: "Kim Minjun", Email: "minjun.kim@police-seoul.example", Agency: 1}, Attendance: "present", Scores: []int{92}, SecondQuiz: 71},
	{personSpec: personSpec{Name: "이서연", Given: "서연", Family: "이", Latin: "Lee Seoyeon", Email: "seoyeon.lee@police-seoul.example", Agency: 1}, Attendance: "present", Scores: []int{72}},
	{personSpec: personSpec{Name: "박지훈", Given: "지훈", Family: "박", Latin: "Park Jihoon", Email: "jihoon.park@police-seoul.example", Agency: 1}, Attendance: "late", Open: true},
	{personSpec: personSpec{Name: "최유나", Given: "유나", Family: "최", Latin: "Choi Yuna", Email: "yuna.choi@police-seoul.example", Agency: 1}, Attendance: "present", Scores: []int{62}},
	{personSpec: personSpec{Name: "정하은", Given: "하은", Family: "정", Latin: "Jung Haeun", Email: "haeun.jung@police-seoul.example", Agency: 1}, Attendance: "present"},
	{personSpec: personSpec{Name: "강도윤", Given: "도윤", Family: "강", Latin: "Kang Doyun", Email: "doyun.kang@police-seoul.example", Agency: 1}},
}

// passScores are the percents aimed at in the closed session, every one a pass;
// officer i at quiz j aims at passScores[(i+j) % len].
var passScores = []int{100, 93, 86, 80, 74, 90, 71, 83}

// retakeOfficer failed the third quiz once in the closed session and passed it
// at the second attempt.
const retakeOfficer = 3

// The sessions: today's in Paris, and the closed one a week ago in Seoul.
var (
	today = sessionSpec{Timezone: "Europe/Paris", Venue: "Centre de conférences de la Préfecture de police, salle Vauban", City: "Paris", Country: "FR", Capacity: 20}
	past  = sessionSpec{Timezone: "Asia/Seoul", Venue: "Seoul Metropolitan Police Agency, training centre, room 401", City: "Seoul", Country: "KR", Capacity: 16}
)

type sessionSpec struct {
	Timezone, Venue, City, Country string
	Capacity                       int
}

func allEmails() []string {
	out := []string{trainer.Email}
	for _, c := range coordinators {
		out = append(out, c.Email)
	}
	for _, o := range officers {
		out = append(out, o.Email)
	}
	return out
}
