//! Record types, their fields, and field masks.
//!
//! Every record type has a fixed, ordered list of fields; a field's position in the list is its
//! index in the record's commitment (see [`crate::commitment`]) and its bit in a [`FieldMask`].
//! The lists are append-only: a field's index never changes once records use it.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// The kinds of medical record medchain anchors.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum RecordType {
	/// A diagnosis (ICD-10 coded).
	Diagnosis,
	/// A laboratory test result (LOINC coded).
	LabResult,
	/// A prescription.
	Prescription,
	/// A treatment plan.
	TreatmentPlan,
	/// A medical history.
	MedicalHistory,
	/// Vital signs.
	VitalSigns,
	/// An imaging study and its report.
	Imaging,
	/// A vaccination.
	Vaccination,
}

impl RecordType {
	/// Every record type, in declaration order.
	pub const ALL: [RecordType; 8] = [
		RecordType::Diagnosis,
		RecordType::LabResult,
		RecordType::Prescription,
		RecordType::TreatmentPlan,
		RecordType::MedicalHistory,
		RecordType::VitalSigns,
		RecordType::Imaging,
		RecordType::Vaccination,
	];

	/// The type's fields, in commitment order. `notes` is always last.
	pub fn fields(self) -> &'static [&'static str] {
		match self {
			RecordType::Diagnosis => {
				&["diagnosis", "icd10_code", "severity", "treatment", "doctor", "date", "notes"]
			}
			RecordType::LabResult => &[
				"test_name",
				"loinc_code",
				"result_value",
				"unit",
				"reference_range",
				"interpretation",
				"specimen",
				"ordered_by",
				"date",
				"notes",
			],
			RecordType::Prescription => &[
				"medication",
				"dosage",
				"route",
				"frequency",
				"duration",
				"quantity",
				"refills",
				"doctor",
				"date",
				"notes",
			],
			RecordType::TreatmentPlan => &[
				"diagnosis",
				"goals",
				"treatment",
				"medications",
				"follow_up",
				"doctor",
				"date",
				"notes",
			],
			RecordType::MedicalHistory => &[
				"conditions",
				"surgeries",
				"allergies",
				"medications",
				"family_history",
				"social_history",
				"doctor",
				"date",
				"notes",
			],
			RecordType::VitalSigns => &[
				"blood_pressure",
				"heart_rate",
				"respiratory_rate",
				"temperature",
				"oxygen_saturation",
				"weight",
				"height",
				"recorded_by",
				"date",
				"notes",
			],
			RecordType::Imaging => &[
				"modality",
				"body_part",
				"findings",
				"impression",
				"radiologist",
				"study_uid",
				"date",
				"notes",
			],
			RecordType::Vaccination => &[
				"vaccine",
				"manufacturer",
				"lot_number",
				"dose_number",
				"site",
				"route",
				"administered_by",
				"date",
				"notes",
			],
		}
	}

	/// How many leaves every record of this type commits to.
	pub fn field_count(self) -> u32 {
		u32::try_from(self.fields().len()).unwrap_or(u32::MAX)
	}

	/// The index of field `name`, if this type has it.
	pub fn field_index(self, name: &str) -> Option<u8> {
		let index = self.fields().iter().position(|field| *field == name)?;
		u8::try_from(index).ok()
	}
}

/// A set of field indices, one bit per field (bit `i` is field `i`). Types have at most 32
/// fields.
#[derive(
	Clone,
	Copy,
	Debug,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct FieldMask(pub u32);

impl FieldMask {
	/// Every field of `record_type`.
	pub fn all(record_type: RecordType) -> Self {
		let count = record_type.field_count();
		Self(1u32.checked_shl(count).map_or(u32::MAX, |bit| bit.wrapping_sub(1)))
	}

	/// Every field of `record_type` except `notes`: what a share discloses unless it says
	/// otherwise.
	pub fn without_notes(record_type: RecordType) -> Self {
		let notes = record_type.field_index("notes").map_or(Self(0), Self::only);
		Self(Self::all(record_type).0 & !notes.0)
	}

	/// Field `index` alone (empty if `index` is 32 or more).
	pub fn only(index: u8) -> Self {
		Self(1u32.checked_shl(u32::from(index)).unwrap_or(0))
	}

	/// This mask with field `index` added.
	pub fn with(self, index: u8) -> Self {
		Self(self.0 | Self::only(index).0)
	}

	/// Whether field `index` is in the mask.
	pub fn contains(self, index: u8) -> bool {
		self.0 & Self::only(index).0 != 0
	}

	/// Whether the mask holds no field.
	pub fn is_empty(self) -> bool {
		self.0 == 0
	}

	/// Whether every field in the mask exists in `record_type`.
	pub fn fits(self, record_type: RecordType) -> bool {
		self.0 & !Self::all(record_type).0 == 0
	}

	/// The indices in the mask, ascending.
	pub fn indices(self) -> impl Iterator<Item = u8> {
		(0u8..32).filter(move |index| self.contains(*index))
	}
}
