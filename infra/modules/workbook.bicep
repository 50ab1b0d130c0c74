// Application Insights workbook "IMR deadlines at a glance": the case metrics the app exports through OpenTelemetry
// (functions/Telemetry/CaseTelemetry.cs; Azure Monitor stores them in customMetrics). No case data: states and durations.

@description('Azure region.')
param location string

@description('Tags applied to the workbook.')
param tags object

@description('Name of the Application Insights component (in this resource group) the workbook reads.')
param applicationInsightsName string

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

var queries = [
  {
    title: 'Cases by state (now)'
    query: 'customMetrics | where name == "imr.cases.by_state" | extend state = tostring(customDimensions.state) | summarize cases = sum(valueSum) by state | order by cases desc'
    visualization: 'table'
  }
  {
    title: 'Cases that went overdue, per day'
    query: 'customMetrics | where name == "imr.cases.overdue" | summarize overdue = sum(valueSum) by bin(timestamp, 1d) | order by timestamp asc'
    visualization: 'barchart'
  }
  {
    title: 'Time from receipt to first offer (hours, mean per day)'
    query: 'customMetrics | where name == "imr.case.time_to_offer" | summarize hours = sum(valueSum) / sum(valueCount), offers = sum(valueCount) by bin(timestamp, 1d) | order by timestamp asc'
    visualization: 'linechart'
  }
  {
    title: 'Time from receipt to issued letter (days, mean per day)'
    query: 'customMetrics | where name == "imr.case.time_to_determination" | extend expedited = tostring(customDimensions.expedited) | summarize days = sum(valueSum) / sum(valueCount), letters = sum(valueCount) by bin(timestamp, 1d), expedited | order by timestamp asc'
    visualization: 'linechart'
  }
]

var workbookItems = [
  for (q, i) in queries: {
    type: 3
    name: 'query-${i}'
    content: {
      version: 'KqlItem/1.0'
      title: q.title
      query: q.query
      size: 0
      timeContext: {
        durationMs: 2592000000
      }
      queryType: 0
      resourceType: 'microsoft.insights/components'
      visualization: q.visualization
    }
  }
]

var workbookContent = {
  version: 'Notebook/1.0'
  items: workbookItems
  isLocked: false
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, applicationInsightsName, 'imr-deadlines-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'IMR deadlines at a glance'
    category: 'workbook'
    sourceId: applicationInsights.id
    serializedData: string(workbookContent)
  }
}

output id string = workbook.id
